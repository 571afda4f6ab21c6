/**
 * The repository REST API where the Worker (or CI) uses REST: a commit's check runs, check
 * suites, combined status and statuses (`ref` a sha or a branch), creating statuses and
 * check runs, deleting a branch (`DELETE …/git/refs/heads/{branch}`), and labels. Token and
 * `core` budget as GitHub checks them; bodies checked with zod; errors in GitHub's REST shape.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { EmulatorRuntime } from "../runtime.ts";
import { ACTIONS_BOT } from "../store/accounts.ts";
import { CheckConclusion, StatusState } from "../store/pull-state-schema.ts";
import type { Repo } from "../store/state-schema.ts";
import { StoreError } from "../store/store-events.ts";
import { restCheckRun, restCheckSuite, restStatus } from "../webhooks/rest-checks.ts";
import { api, restLabel, restRepository } from "../webhooks/rest-shapes.ts";
import { restError, restGuard } from "./rest-guard.ts";

const docs = "https://docs.github.com/rest";
const upper = <T extends z.ZodType<unknown, string>>(schema: T) =>
  z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(schema);
const StatusInput = z.object({
  state: upper(StatusState),
  target_url: z.string().nullish(),
  description: z.string().nullish(),
  context: z.string().default("default"),
});
const CheckRunInput = z.object({
  name: z.string().min(1),
  head_sha: z.string().regex(/^[0-9a-f]{40}$/),
  status: z.enum(["queued", "in_progress", "completed"]).default("queued"),
  conclusion: upper(CheckConclusion).optional(),
  details_url: z.string().nullish(),
  output: z.object({ title: z.string().nullish(), summary: z.string().nullish() }).optional(),
});
const CheckRunUpdate = z.object({
  status: z.enum(["queued", "in_progress", "completed"]).optional(),
  conclusion: upper(CheckConclusion).optional(),
});
const LabelInput = z.object({
  name: z.string().min(1),
  color: z.string().default("ededed"),
  description: z.string().nullish(),
});

function toStatus(status: "queued" | "in_progress" | "completed") {
  return status === "completed" ? "COMPLETED" : status === "queued" ? "QUEUED" : "IN_PROGRESS";
}

export function restRoutes(runtime: EmulatorRuntime): Hono {
  const app = new Hono();
  const store = runtime.store;
  const loop = () => store.loop;
  app.use("*", restGuard(runtime, docs));
  app.onError((error, c) => {
    if (error instanceof StoreError)
      return error.type === "NOT_FOUND"
        ? restError(c, 404, "Not Found", docs)
        : restError(c, 422, error.message, docs);
    throw error;
  });

  const repoOf = (c: Context): Repo | undefined =>
    store.repo(`${c.req.param("owner")}/${c.req.param("repo")}`);
  const parse = async <T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T> | Response> => {
    const raw: unknown = await c.req.json().catch(() => undefined);
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    return restError(c, 422, "Validation Failed", docs, {
      errors: parsed.error.issues.map((i) => ({
        resource: "Request",
        field: i.path.join("."),
        code: "invalid",
      })),
    });
  };
  /** A sha, or a branch's head (`heads/x`, `refs/heads/x` or `x`). */
  const commitOf = (repo: Repo, ref: string): string | null => {
    if (/^[0-9a-f]{40}$/.test(ref)) return ref;
    const name = ref.replace(/^refs\//, "").replace(/^heads\//, "");
    return loop().git.backend(repo).branch(name)?.oid ?? null;
  };
  const withCommit = (c: Context, fn: (repo: Repo, sha: string, full: string) => Response) => {
    const repo = repoOf(c);
    if (repo === undefined) return restError(c, 404, "Not Found", docs);
    const sha = commitOf(repo, decodeURIComponent(c.req.param("ref") ?? ""));
    if (sha === null) return restError(c, 422, `No commit found for SHA: ${c.req.param("ref") ?? ""}`, docs);
    return fn(repo, sha, `${repo.owner}/${repo.name}`);
  };

  app.get("/:owner/:repo/commits/:ref{.+}/check-runs", (c) =>
    withCommit(c, (_repo, sha, full) => {
      const name = c.req.query("check_name");
      const status = c.req.query("status");
      const latest = (c.req.query("filter") ?? "latest") === "latest";
      let runs = loop().checks.runs(full, sha);
      if (latest) runs = runs.filter((r, i) => !runs.slice(i + 1).some((later) => later.name === r.name));
      runs = runs.filter(
        (r) =>
          (name === undefined || r.name === name) &&
          (status === undefined || r.status === status.toUpperCase()),
      );
      return c.json({
        total_count: runs.length,
        check_runs: runs.reverse().map((r) => restCheckRun(store, r)),
      });
    }),
  );

  app.get("/:owner/:repo/commits/:ref{.+}/check-suites", (c) =>
    withCommit(c, (_repo, sha, full) => {
      const suites = loop().checks.suites(full, sha);
      return c.json({
        total_count: suites.length,
        check_suites: suites.map((s) => restCheckSuite(store, s)),
      });
    }),
  );

  app.get("/:owner/:repo/commits/:ref{.+}/status", (c) =>
    withCommit(c, (repo, sha, full) => {
      const statuses = loop().checks.latestStatuses(full, sha);
      const states = statuses.map((s) => s.state);
      const state =
        states.includes("ERROR") || states.includes("FAILURE")
          ? "failure"
          : states.length === 0 || states.includes("PENDING")
            ? "pending"
            : "success";
      return c.json({
        state,
        statuses: statuses.map(restStatus),
        sha,
        total_count: statuses.length,
        repository: restRepository(store, repo),
        commit_url: `${api}/repos/${full}/commits/${sha}`,
        url: `${api}/repos/${full}/commits/${sha}/status`,
      });
    }),
  );

  app.get("/:owner/:repo/commits/:ref{.+}/statuses", (c) =>
    withCommit(c, (_repo, sha, full) => c.json(loop().checks.statuses(full, sha).map(restStatus))),
  );

  app.post("/:owner/:repo/statuses/:sha", async (c) => {
    const repo = repoOf(c);
    if (repo === undefined) return restError(c, 404, "Not Found", docs);
    const input = await parse(c, StatusInput);
    if (input instanceof Response) return input;
    const status = loop().checks.createStatus({
      repo,
      sha: c.req.param("sha"),
      state: input.state,
      context: input.context,
      description: input.description ?? null,
      targetUrl: input.target_url ?? null,
      actor: runtime.actor,
    });
    return c.json(restStatus(status), 201);
  });

  app.post("/:owner/:repo/check-runs", async (c) => {
    const repo = repoOf(c);
    if (repo === undefined) return restError(c, 404, "Not Found", docs);
    const input = await parse(c, CheckRunInput);
    if (input instanceof Response) return input;
    const run = loop().checks.createRun({
      repo,
      headSha: input.head_sha,
      name: input.name,
      status: toStatus(input.status),
      conclusion: input.conclusion ?? null,
      app: "github-actions",
      detailsUrl: input.details_url ?? null,
      title: input.output?.title ?? null,
      summary: input.output?.summary ?? null,
      actor: ACTIONS_BOT,
    });
    return c.json(restCheckRun(store, run), 201);
  });

  app.patch("/:owner/:repo/check-runs/:id", async (c) => {
    const input = await parse(c, CheckRunUpdate);
    if (input instanceof Response) return input;
    const run = loop().checks.run(Number(c.req.param("id")));
    const status =
      input.status === undefined
        ? input.conclusion === undefined
          ? run.status
          : "COMPLETED"
        : toStatus(input.status);
    loop().checks.updateRun(run, { status, conclusion: input.conclusion ?? null, actor: ACTIONS_BOT });
    return c.json(restCheckRun(store, run));
  });

  app.delete("/:owner/:repo/git/refs/heads/:branch{.+}", (c) => {
    const repo = repoOf(c);
    if (repo === undefined) return restError(c, 404, "Not Found", docs);
    const branch = decodeURIComponent(c.req.param("branch"));
    if (loop().git.backend(repo).branch(branch) === null)
      return restError(c, 422, "Reference does not exist", docs);
    loop().refs.deleteBranch(repo, branch, runtime.actor);
    return c.body(null, 204);
  });

  app.post("/:owner/:repo/labels", async (c) => {
    const repo = repoOf(c);
    if (repo === undefined) return restError(c, 404, "Not Found", docs);
    const input = await parse(c, LabelInput);
    if (input instanceof Response) return input;
    if (loop().labels.byName(`${repo.owner}/${repo.name}`, input.name) !== undefined)
      return restError(c, 422, "Validation Failed", docs, {
        errors: [{ resource: "Label", code: "already_exists", field: "name" }],
      });
    const label = loop().labels.create(repo, input, runtime.actor);
    return c.json(restLabel(label), 201);
  });

  app.get("/:owner/:repo/labels/:name{.+}", (c) => {
    const repo = repoOf(c);
    const label =
      repo && loop().labels.byName(`${repo.owner}/${repo.name}`, decodeURIComponent(c.req.param("name")));
    return label ? c.json(restLabel(label)) : restError(c, 404, "Not Found", docs);
  });
  return app;
}
