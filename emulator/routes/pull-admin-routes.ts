/**
 * Admin controls under `/_emulator/` that play the other actors of the pull-request loop:
 * a person merges or closes a PR (as GitHub merges: base moves, closing keywords close
 * issues, the head branch goes when the repo says so), CI reports check runs and statuses,
 * branches of unlinked repos are set, a bare repo is linked (its pushes reported by a hook),
 * and GitHub's Copilot coding agent opens its PR, finishes, or fails.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { syntheticOid } from "../git/branch-registry.ts";
import { installPushHook } from "../git/push-hook.ts";
import type { EmulatorRuntime } from "../runtime.ts";
import { ACTIONS_BOT } from "../store/accounts.ts";
import { CheckConclusion, MergeMethod, StatusState } from "../store/pull-state-schema.ts";
import type { Issue, PullRequest, Repo } from "../store/state-schema.ts";
import { body } from "./json-body.ts";

const Ref = /^([\w.-]+\/[\w.-]+)#(\d+)$/;
const RepoName = z.string().regex(/^[\w.-]+\/[\w.-]+$/, "expected owner/name");
const Actor = z.string().min(1).default("phoenix-human");
const PrRef = z.string().regex(Ref, "expected owner/name#12");
const Oid = z.string().regex(/^[0-9a-f]{40}$/, "expected a 40-hex commit oid");
const MergeBody = z.object({
  pullRequest: PrRef,
  actor: Actor,
  method: MergeMethod.optional(),
  commitHeadline: z.string().optional(),
  commitBody: z.string().optional(),
  /** A repo admin's "merge without waiting for requirements". */
  bypassRules: z.boolean().default(false),
});
const PrAction = z.object({ pullRequest: PrRef, actor: Actor });
/** Which commit a CI report is about: a sha, a branch's head, or a PR's head. */
const Target = z.object({
  repo: RepoName,
  sha: Oid.optional(),
  branch: z.string().min(1).optional(),
  pullRequest: z.number().int().positive().optional(),
});
const CheckBody = Target.extend({
  name: z.string().min(1),
  status: z.enum(["queued", "in_progress", "completed"]).default("completed"),
  conclusion: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(CheckConclusion)
    .optional(),
  app: z.string().min(1).default("github-actions"),
  detailsUrl: z.url().optional(),
  title: z.string().optional(),
  summary: z.string().optional(),
});
const StatusBody = Target.extend({
  context: z.string().min(1).default("default"),
  state: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(StatusState),
  description: z.string().optional(),
  targetUrl: z.url().optional(),
  actor: Actor,
});
const BranchBody = z.object({
  repo: RepoName,
  name: z.string().min(1),
  commits: z.array(z.string().min(1)).min(1).default(["Update"]),
  files: z
    .array(
      z.object({
        path: z.string().min(1),
        additions: z.number().int().nonnegative().default(1),
        deletions: z.number().int().nonnegative().default(0),
        changeType: z.enum(["ADDED", "MODIFIED", "DELETED", "RENAMED"]).default("MODIFIED"),
      }),
    )
    .default([]),
  actor: Actor,
});
const DeleteBranchBody = z.object({ repo: RepoName, name: z.string().min(1), actor: Actor });
const LinkBody = z.object({ repo: RepoName, gitDir: z.string().min(1), hook: z.boolean().default(true) });
const PushedBody = z.object({
  repo: RepoName,
  updates: z.array(z.object({ ref: z.string(), before: Oid, after: Oid })),
  pusher: z.string().min(1).optional(),
});
const CopilotIssue = z.object({ issue: PrRef });
const CopilotPr = CopilotIssue.extend({
  title: z.string().min(1).optional(),
  body: z.string().optional(),
  files: z.array(z.object({ path: z.string().min(1), content: z.string().nullable() })).optional(),
  draft: z.boolean().default(true),
});

export function pullAdminRoutes(runtime: EmulatorRuntime): Hono {
  const app = new Hono();
  const store = runtime.store;
  const loop = () => store.loop;

  const repoOf = (name: string): Repo => {
    const repo = store.repo(name);
    if (repo === undefined) throw new HTTPException(404, { message: `No repository ${name}` });
    return repo;
  };
  const prOf = (ref: string): PullRequest => {
    const [, repo = "", number = "0"] = Ref.exec(ref) ?? [];
    const pr = store.pullRequestByNumber(repo, Number(number));
    if (pr === undefined) throw new HTTPException(404, { message: `No pull request ${ref}` });
    return pr;
  };
  const issueOf = (ref: string): Issue => {
    const [, repo = "", number = "0"] = Ref.exec(ref) ?? [];
    const issue = store.issueByNumber(repo, Number(number));
    if (issue === undefined) throw new HTTPException(404, { message: `No issue ${ref}` });
    return issue;
  };
  const shaOf = (target: z.infer<typeof Target>): { repo: Repo; sha: string } => {
    const repo = repoOf(target.repo);
    if (target.sha !== undefined) return { repo, sha: target.sha };
    if (target.pullRequest !== undefined) {
      const pr = prOf(`${target.repo}#${target.pullRequest}`);
      loop().pulls.refresh(pr);
      return { repo, sha: pr.headRefOid };
    }
    const branch = loop()
      .git.backend(repo)
      .branch(target.branch ?? repo.defaultBranch);
    if (branch === null)
      throw new HTTPException(404, { message: `No branch ${target.branch ?? ""} in ${target.repo}` });
    return { repo, sha: branch.oid };
  };
  const prState = (pr: PullRequest) => ({
    pullRequestId: pr.id,
    number: pr.number,
    state: pr.state,
    merged: pr.state === "MERGED",
    mergeCommitOid: pr.mergeCommitOid,
    headRefName: pr.headRefName,
    headRefOid: pr.headRefOid,
  });

  app.post("/pull-requests/merge", body(MergeBody), (c) => {
    const input = c.req.valid("json");
    const pr = prOf(input.pullRequest);
    const settings = repoOf(pr.repo).settings;
    const method =
      input.method ??
      (settings.mergeCommitAllowed ? "MERGE" : settings.squashMergeAllowed ? "SQUASH" : "REBASE");
    loop().merges.merge(pr, { ...input, method });
    return c.json(prState(pr));
  });

  app.post("/pull-requests/close", body(PrAction), (c) => {
    const input = c.req.valid("json");
    return c.json(prState(loop().pulls.close(prOf(input.pullRequest), input.actor)));
  });

  app.post("/pull-requests/reopen", body(PrAction), (c) => {
    const input = c.req.valid("json");
    return c.json(prState(loop().pulls.reopen(prOf(input.pullRequest), input.actor)));
  });

  /** A check run reported by CI: created, or an open run of that name on that commit moved along. */
  app.post("/checks", body(CheckBody), (c) => {
    const input = c.req.valid("json");
    const { repo, sha } = shaOf(input);
    const status =
      input.status === "completed" ? "COMPLETED" : input.status === "queued" ? "QUEUED" : "IN_PROGRESS";
    const actor = input.app === "github-actions" ? ACTIONS_BOT : `${input.app}[bot]`;
    const open = loop()
      .checks.runs(`${repo.owner}/${repo.name}`, sha)
      .find((r) => r.name === input.name && r.status !== "COMPLETED");
    const run =
      open === undefined
        ? loop().checks.createRun({
            repo,
            headSha: sha,
            name: input.name,
            status,
            conclusion: input.conclusion ?? null,
            app: input.app,
            detailsUrl: input.detailsUrl ?? null,
            title: input.title ?? null,
            summary: input.summary ?? null,
            actor,
          })
        : loop().checks.updateRun(open, { status, conclusion: input.conclusion ?? null, actor });
    return c.json(
      { id: run.databaseId, nodeId: run.id, headSha: sha, status: run.status, conclusion: run.conclusion },
      201,
    );
  });

  app.post("/statuses", body(StatusBody), (c) => {
    const input = c.req.valid("json");
    const { repo, sha } = shaOf(input);
    const status = loop().checks.createStatus({
      repo,
      sha,
      state: input.state,
      context: input.context,
      description: input.description ?? null,
      targetUrl: input.targetUrl ?? null,
      actor: input.actor,
    });
    return c.json({ id: status.databaseId, sha, context: status.context, state: status.state }, 201);
  });

  app.put("/branches", body(BranchBody), (c) => {
    const input = c.req.valid("json");
    const repo = repoOf(input.repo);
    const at = store.now();
    let parent: string | null = null;
    const commits = input.commits.map((message, index) => {
      const oid = syntheticOid(`${input.repo}:${input.name}:${index}:${message}:${at}`);
      const commit = {
        oid,
        message,
        authorName: input.actor,
        authorEmail: `${input.actor}@users.noreply.github.com`,
        authoredDate: at,
        committedDate: at,
        parents: parent === null ? [] : [parent],
      };
      parent = oid;
      return commit;
    });
    const oid = loop().refs.putRegistryBranch(repo, input.name, { commits, files: input.files }, input.actor);
    return c.json({ repo: input.repo, name: input.name, oid });
  });

  app.delete("/branches", body(DeleteBranchBody), (c) => {
    const input = c.req.valid("json");
    loop().refs.deleteBranch(repoOf(input.repo), input.name, input.actor);
    return c.json({ repo: input.repo, name: input.name, deleted: true });
  });

  app.post("/git/link", body(LinkBody), (c) => {
    const input = c.req.valid("json");
    const repo = repoOf(input.repo);
    loop().git.link(repo, input.gitDir);
    const hook = input.hook ? installPushHook(input.gitDir, runtime.url, input.repo) : null;
    return c.json({ repo: input.repo, gitDir: input.gitDir, hook });
  });

  /** What a linked repo's post-receive hook reports after a push. */
  app.post("/git/pushed", body(PushedBody), (c) => {
    const input = c.req.valid("json");
    const repo = repoOf(input.repo);
    if (repo.gitDir === null) throw new HTTPException(409, { message: `${input.repo} is not linked to git` });
    const updates = input.updates
      .filter((u) => u.ref.startsWith("refs/heads/"))
      .map((u) => ({ branch: u.ref.slice("refs/heads/".length), before: u.before, after: u.after }));
    loop().refs.applyUpdates(repo, updates, input.pusher ?? "phoenix-human");
    return c.json({ repo: input.repo, updates: updates.length });
  });

  app.post("/copilot/pull-request", body(CopilotPr), (c) => {
    const input = c.req.valid("json");
    const pr = loop().copilot.openPullRequest(issueOf(input.issue), input);
    return c.json(prState(pr), 201);
  });

  app.post("/copilot/ready", body(CopilotIssue.extend({ title: z.string().min(1).optional() })), (c) => {
    const input = c.req.valid("json");
    return c.json(prState(loop().copilot.finish(issueOf(input.issue), input)));
  });

  app.post(
    "/copilot/fail",
    body(CopilotIssue.extend({ reason: z.string().min(1).default("an internal error") })),
    (c) => {
      const input = c.req.valid("json");
      const session = loop().copilot.fail(issueOf(input.issue), input.reason);
      return c.json({ issueId: session.issueId, state: session.state });
    },
  );

  app.get("/copilot/sessions", (c) => c.json(store.state.copilotSessions));
  return app;
}
