/**
 * GraphQL views of git data and CI: `Ref` (a branch, with its associated pull requests),
 * `Commit` (with its status, check suites and status-check rollup), `CheckSuite`,
 * `CheckRun`, `StatusContext` and `Status`. Ref and commit ids are reversible, so
 * `deleteRef(refId:)` finds the branch again. Used by the repository and pull request views.
 */
import { z } from "zod";
import type { CheckContext } from "../store/checks.ts";
import type { EmulatorStore } from "../store/emulator-store.ts";
import { encodedNodeId } from "../store/ids.ts";
import type { CheckRun, CheckSuite, CommitStatus, GitCommit } from "../store/pull-state-schema.ts";
import type { PullRequest, Repo } from "../store/state-schema.ts";
import { actorView } from "./actor-views.ts";
import { connection } from "./connection.ts";
import { pullRequestView } from "./pull-request-views.ts";
import { repoView } from "./repo-view.ts";

const web = "https://github.com";
const PrFilter = z.looseObject({
  states: z.array(z.string()).nullish(),
  headRefName: z.string().nullish(),
  baseRefName: z.string().nullish(),
});
const IsRequiredArgs = z.looseObject({
  pullRequestId: z.string().nullish(),
  pullRequestNumber: z.number().nullish(),
});

function slug(repo: Repo): string {
  return `${repo.owner}/${repo.name}`;
}

export function refNodeId(repo: Repo, branch: string): string {
  return encodedNodeId("REF", [repo.id, `refs/heads/${branch}`]);
}

export function filterPullRequests(prs: readonly PullRequest[], rawArgs: unknown): PullRequest[] {
  const args = PrFilter.parse(rawArgs ?? {});
  return prs.filter(
    (p) =>
      (args.states == null || args.states.includes(p.state)) &&
      (args.headRefName == null || p.headRefName === args.headRefName) &&
      (args.baseRefName == null || p.baseRefName === args.baseRefName),
  );
}

export function refView(
  store: EmulatorStore,
  repo: Repo,
  branch: { name: string; oid: string },
): Record<string, unknown> {
  return {
    __typename: "Ref",
    id: refNodeId(repo, branch.name),
    name: branch.name,
    prefix: "refs/heads/",
    branchProtectionRule: null,
    refUpdateRule: null,
    target: () => commitView(store, repo, branch.oid),
    repository: () => repoView(store, repo),
    associatedPullRequests: (args: unknown) =>
      connection(
        filterPullRequests(
          store.state.pullRequests.filter((p) => p.repo === slug(repo) && p.headRefName === branch.name),
          args,
        ),
        args,
        (p) => pullRequestView(store, p),
      ),
  };
}

function gitActor(name: string, email: string, date: string): Record<string, unknown> {
  return { name, email, date, avatarUrl: `https://avatars.githubusercontent.com/u/0?v=4`, user: null };
}

export function commitView(
  store: EmulatorStore,
  repo: Repo,
  oid: string,
  known?: GitCommit,
): Record<string, unknown> {
  const git = () => store.loop.git.backend(repo);
  const commit = known ?? git().commit(oid);
  const message = commit?.message ?? "";
  const [headline = "", ...rest] = message.split("\n");
  const diff = () => {
    const parent = commit?.parents[0];
    return parent === undefined ? [] : (git().compare(parent, oid)?.files ?? []);
  };
  const path = `/${slug(repo)}/commit/${oid}`;
  return {
    __typename: "Commit",
    id: encodedNodeId("C", [repo.id, oid]),
    oid,
    abbreviatedOid: oid.slice(0, 7),
    message,
    messageHeadline: headline,
    messageBody: rest.join("\n").replace(/^\n+/, ""),
    authoredDate: commit?.authoredDate ?? null,
    committedDate: commit?.committedDate ?? null,
    pushedDate: null,
    author: commit === null ? null : gitActor(commit.authorName, commit.authorEmail, commit.authoredDate),
    committer: commit === null ? null : gitActor(commit.authorName, commit.authorEmail, commit.committedDate),
    additions: () => diff().reduce((n, f) => n + f.additions, 0),
    deletions: () => diff().reduce((n, f) => n + f.deletions, 0),
    changedFiles: () => diff().length,
    url: `${web}${path}`,
    commitUrl: `${web}${path}`,
    resourcePath: path,
    repository: () => repoView(store, repo),
    parents: (args: unknown) =>
      connection(commit?.parents ?? [], args, (parent) => commitView(store, repo, parent)),
    status: () => statusView(store, repo, oid),
    statusCheckRollup: () => rollupView(store, repo, oid),
    checkSuites: (args: unknown) =>
      connection(store.loop.checks.suites(slug(repo), oid), args, (suite) =>
        checkSuiteView(store, repo, suite),
      ),
    associatedPullRequests: (args: unknown) =>
      connection(
        store.state.pullRequests.filter((p) => p.repo === slug(repo) && p.headRefOid === oid),
        args,
        (p) => pullRequestView(store, p),
      ),
  };
}

function isRequired(store: EmulatorStore, repo: Repo, name: string) {
  return (args: unknown) => {
    const { pullRequestId, pullRequestNumber } = IsRequiredArgs.parse(args ?? {});
    const pr =
      pullRequestId != null
        ? store.state.pullRequests.find((p) => p.id === pullRequestId)
        : pullRequestNumber != null
          ? store.pullRequestByNumber(slug(repo), pullRequestNumber)
          : undefined;
    return pr !== undefined && store.loop.merges.requiredChecks(pr).includes(name);
  };
}

export function checkRunView(store: EmulatorStore, repo: Repo, run: CheckRun): Record<string, unknown> {
  const path = `/${slug(repo)}/runs/${run.databaseId}`;
  return {
    __typename: "CheckRun",
    id: run.id,
    databaseId: run.databaseId,
    name: run.name,
    status: run.status,
    conclusion: run.conclusion,
    startedAt: run.startedAt,
    completedAt: run.completedAt,
    detailsUrl: run.detailsUrl,
    externalId: null,
    title: run.title,
    summary: run.summary,
    text: null,
    url: `${web}${path}`,
    permalink: `${web}${path}`,
    resourcePath: path,
    isRequired: isRequired(store, repo, run.name),
    repository: () => repoView(store, repo),
    checkSuite: () => checkSuiteView(store, repo, store.loop.checks.suite(run.suiteId)),
  };
}

export function checkSuiteView(store: EmulatorStore, repo: Repo, suite: CheckSuite): Record<string, unknown> {
  const path = `/${slug(repo)}/commit/${suite.headSha}/checks?check_suite_id=${suite.databaseId}`;
  return {
    __typename: "CheckSuite",
    id: suite.id,
    databaseId: suite.databaseId,
    status: suite.status,
    conclusion: suite.conclusion,
    createdAt: suite.createdAt,
    updatedAt: suite.updatedAt,
    url: `${web}${path}`,
    resourcePath: path,
    app: {
      __typename: "App",
      id: encodedNodeId("A", [suite.app, "app"]),
      slug: suite.app,
      name: suite.app === "github-actions" ? "GitHub Actions" : suite.app,
      url: `${web}/apps/${suite.app}`,
      createdAt: suite.createdAt,
      updatedAt: suite.updatedAt,
      logoBackgroundColor: "000000",
      logoUrl: `https://avatars.githubusercontent.com/in/0?v=4`,
      description: null,
    },
    branch: null,
    creator: null,
    commit: () => commitView(store, repo, suite.headSha),
    repository: () => repoView(store, repo),
    checkRuns: (args: unknown) =>
      connection(
        store.state.checkRuns.filter((r) => r.suiteId === suite.id),
        args,
        (run) => checkRunView(store, repo, run),
      ),
  };
}

export function statusContextView(
  store: EmulatorStore,
  repo: Repo,
  status: CommitStatus,
): Record<string, unknown> {
  return {
    __typename: "StatusContext",
    id: status.id,
    context: status.context,
    state: status.state,
    description: status.description,
    targetUrl: status.targetUrl,
    createdAt: status.createdAt,
    creator: actorView(status.creator),
    avatarUrl: `https://avatars.githubusercontent.com/u/0?v=4`,
    isRequired: isRequired(store, repo, status.context),
    commit: () => commitView(store, repo, status.sha),
  };
}

function contextView(store: EmulatorStore, repo: Repo, context: CheckContext): Record<string, unknown> {
  return context.kind === "checkRun"
    ? checkRunView(store, repo, context.record)
    : statusContextView(store, repo, context.record);
}

/** The combined commit status; null when the commit has none, as on GitHub. */
export function statusView(store: EmulatorStore, repo: Repo, oid: string): Record<string, unknown> | null {
  const latest = store.loop.checks.latestStatuses(slug(repo), oid);
  if (latest.length === 0) return null;
  const states = latest.map((s) => s.state);
  const state = states.includes("ERROR")
    ? "ERROR"
    : states.includes("FAILURE")
      ? "FAILURE"
      : states.includes("PENDING")
        ? "PENDING"
        : "SUCCESS";
  return {
    id: encodedNodeId("SS", [repo.id, oid]),
    state,
    contexts: latest.map((s) => statusContextView(store, repo, s)),
    context: (args: unknown) => {
      const name = z.object({ name: z.string() }).parse(args).name;
      const found = latest.find((s) => s.context === name);
      return found === undefined ? null : statusContextView(store, repo, found);
    },
    combinedContexts: (args: unknown) =>
      connection(store.loop.checks.contexts(slug(repo), oid), args, (c) => contextView(store, repo, c)),
    commit: () => commitView(store, repo, oid),
  };
}

export function rollupView(store: EmulatorStore, repo: Repo, oid: string): Record<string, unknown> | null {
  const state = store.loop.checks.rollup(slug(repo), oid);
  if (state === null) return null;
  return {
    id: encodedNodeId("SCR", [repo.id, oid]),
    state,
    contexts: (args: unknown) =>
      connection(store.loop.checks.contexts(slug(repo), oid), args, (c) => contextView(store, repo, c)),
    commit: () => commitView(store, repo, oid),
  };
}
