/**
 * CI deliveries as GitHub sends them, typed with @octokit/openapi-webhooks-types: `check_run`
 * created and completed, `check_suite` completed, and `status` (with the commit and the
 * branches whose head it is). Senders are the reporting app's bot or the status's creator.
 * Used by webhook-payloads.ts.
 */
import type { EmulatorStore } from "../store/emulator-store.ts";
import type { CheckRun, CheckSuite, CommitStatus } from "../store/pull-state-schema.ts";
import { integration, restCheckRun, restCheckSuite, restCommit } from "./rest-checks.ts";
import { api, orgSimple, restRepository, simpleUser, type Schemas } from "./rest-shapes.ts";
import type { WebhookMessage } from "./webhook-message.ts";

function context(store: EmulatorStore, repoName: string, actor: string) {
  const repo = store.loop.git.repo(repoName);
  return {
    repository: restRepository(store, repo),
    organization: orgSimple(store, repo.owner),
    sender: simpleUser(actor),
  };
}

export function checkRunMessage(
  store: EmulatorStore,
  run: CheckRun,
  action: "created" | "completed",
  actor: string,
): WebhookMessage {
  const common = context(store, run.repo, actor);
  const check_run = restCheckRun(store, run);
  const payload: Schemas["webhook-check-run-created"] | Schemas["webhook-check-run-completed"] =
    action === "created" ? { action, check_run, ...common } : { action, check_run, ...common };
  return { event: "check_run", action, payload: { ...payload, ...common } };
}

export function checkSuiteMessage(store: EmulatorStore, suite: CheckSuite, actor: string): WebhookMessage {
  const common = context(store, suite.repo, actor);
  const repo = store.loop.git.repo(suite.repo);
  const commit = store.loop.git.backend(repo).commit(suite.headSha);
  const simple = restCheckSuite(store, suite);
  const person = { name: commit?.authorName ?? "", email: commit?.authorEmail ?? null };
  const payload: Schemas["webhook-check-suite-completed"] = {
    action: "completed",
    check_suite: {
      id: suite.databaseId,
      node_id: suite.id,
      head_branch: suite.headBranch,
      head_sha: suite.headSha,
      status: "completed",
      conclusion: simple.conclusion ?? null,
      url: `${api}/repos/${suite.repo}/check-suites/${suite.databaseId}`,
      check_runs_url: `${api}/repos/${suite.repo}/check-suites/${suite.databaseId}/check-runs`,
      before: null,
      after: suite.headSha,
      pull_requests: simple.pull_requests ?? [],
      app: {
        ...integration(suite.app),
        owner: { login: "github", id: 9919, type: "Organization" },
        events: ["check_run"],
      },
      created_at: suite.createdAt,
      updated_at: suite.updatedAt,
      latest_check_runs_count: store.state.checkRuns.filter((r) => r.suiteId === suite.id).length,
      rerequestable: true,
      runs_rerequestable: true,
      head_commit: {
        id: suite.headSha,
        tree_id: suite.headSha,
        message: commit?.message ?? "",
        timestamp: commit?.committedDate ?? suite.createdAt,
        author: person,
        committer: person,
      },
    },
    ...common,
  };
  return { event: "check_suite", action: "completed", payload: { ...payload, ...common } };
}

export function statusMessage(store: EmulatorStore, status: CommitStatus, actor: string): WebhookMessage {
  const common = context(store, status.repo, actor);
  const repo = store.loop.git.repo(status.repo);
  const git = store.loop.git.backend(repo);
  const commit = git.commit(status.sha);
  const branches = git
    .branches()
    .filter((b) => b.oid === status.sha)
    .map((b) => ({
      name: b.name,
      commit: { sha: b.oid, url: `${api}/repos/${status.repo}/commits/${b.oid}` },
      protected: store.loop.merges.protection(repo, b.name) !== null,
    }));
  const rest = commit === null ? null : restCommit(status.repo, commit);
  const payload: Schemas["webhook-status"] = {
    id: status.databaseId,
    sha: status.sha,
    name: status.repo,
    target_url: status.targetUrl,
    context: status.context,
    description: status.description,
    state:
      status.state === "SUCCESS"
        ? "success"
        : status.state === "PENDING"
          ? "pending"
          : status.state === "FAILURE"
            ? "failure"
            : "error",
    commit: {
      sha: status.sha,
      node_id: `C_${status.sha}`,
      url: `${api}/repos/${status.repo}/commits/${status.sha}`,
      html_url: rest?.html_url ?? "",
      comments_url: `${api}/repos/${status.repo}/commits/${status.sha}/comments`,
      author: null,
      committer: null,
      parents: rest?.parents ?? [],
      commit: {
        author: {
          name: commit?.authorName ?? "",
          email: commit?.authorEmail ?? "",
          date: commit?.authoredDate ?? status.createdAt,
        },
        committer: {
          name: commit?.authorName ?? "",
          email: commit?.authorEmail ?? "",
          date: commit?.committedDate ?? status.createdAt,
        },
        message: commit?.message ?? "",
        comment_count: 0,
        tree: { sha: status.sha, url: `${api}/repos/${status.repo}/git/trees/${status.sha}` },
        url: `${api}/repos/${status.repo}/git/commits/${status.sha}`,
        verification: {
          verified: false,
          reason: "unsigned",
          signature: null,
          payload: null,
          verified_at: null,
        },
      },
    },
    branches,
    created_at: status.createdAt,
    updated_at: status.updatedAt,
    avatar_url: simpleUser(status.creator).avatar_url,
    ...common,
  };
  return { event: "status", action: "", payload: { ...payload, ...common } };
}
