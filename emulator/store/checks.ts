/**
 * CI's reports on commits, as GitHub keeps them: check runs grouped in one check suite per
 * app and commit, and commit statuses by context; each commit's contexts (the latest run or
 * status per name) and their rollup. A completed run or a new status may let a pull request's
 * auto-merge fire. Used by the REST routes, the admin API and the GraphQL views.
 */
import type { EmulatorStore } from "./emulator-store.ts";
import { databaseId, nodeId, NodePrefix } from "./ids.ts";
import type { PullLoop } from "./pull-loop.ts";
import type {
  CheckConclusion,
  CheckRun,
  CheckSuite,
  CommitStatus,
  StatusState,
} from "./pull-state-schema.ts";
import type { Repo } from "./state-schema.ts";
import { notFound } from "./store-events.ts";

/** One required-check candidate on a commit: a check run by name or a status by context. */
export type CheckContext = { name: string; state: "SUCCESS" | "PENDING" | "FAILURE" } & (
  { kind: "checkRun"; record: CheckRun } | { kind: "status"; record: CommitStatus }
);

const PASSING: readonly (CheckConclusion | null)[] = ["SUCCESS", "NEUTRAL", "SKIPPED"];

export interface CheckRunInput {
  repo: Repo;
  headSha: string;
  name: string;
  status: CheckRun["status"];
  conclusion: CheckConclusion | null;
  app: string;
  detailsUrl?: string | null;
  title?: string | null;
  summary?: string | null;
  actor: string;
}

export class Checks {
  readonly #store: EmulatorStore;
  readonly #loop: PullLoop;

  constructor(store: EmulatorStore, loop: PullLoop) {
    this.#store = store;
    this.#loop = loop;
  }

  runs(repo: string, sha: string): CheckRun[] {
    return this.#store.state.checkRuns.filter((r) => r.repo === repo && r.headSha === sha);
  }

  suites(repo: string, sha: string): CheckSuite[] {
    return this.#store.state.checkSuites.filter((s) => s.repo === repo && s.headSha === sha);
  }

  suite(id: string): CheckSuite {
    const suite = this.#store.state.checkSuites.find((s) => s.id === id);
    if (suite === undefined) throw notFound(id);
    return suite;
  }

  run(id: string | number): CheckRun {
    const run = this.#store.state.checkRuns.find((r) => r.id === id || r.databaseId === id);
    if (run === undefined) throw notFound(String(id));
    return run;
  }

  /** All statuses of a commit, newest first (GitHub's order). */
  statuses(repo: string, sha: string): CommitStatus[] {
    return this.#store.state.statuses.filter((s) => s.repo === repo && s.sha === sha).reverse();
  }

  /** The latest status per context, newest first. */
  latestStatuses(repo: string, sha: string): CommitStatus[] {
    const seen = new Set<string>();
    return this.statuses(repo, sha).filter((s) => !seen.has(s.context) && seen.add(s.context));
  }

  contexts(repo: string, sha: string): CheckContext[] {
    const latestRuns = new Map<string, CheckRun>();
    for (const run of this.runs(repo, sha)) latestRuns.set(run.name, run);
    const runs = [...latestRuns.values()].map((run): CheckContext => ({
      name: run.name,
      kind: "checkRun",
      state:
        run.status !== "COMPLETED" ? "PENDING" : PASSING.includes(run.conclusion) ? "SUCCESS" : "FAILURE",
      record: run,
    }));
    const statuses = this.latestStatuses(repo, sha).map((status): CheckContext => ({
      name: status.context,
      kind: "status",
      state: status.state === "SUCCESS" ? "SUCCESS" : status.state === "PENDING" ? "PENDING" : "FAILURE",
      record: status,
    }));
    return [...runs, ...statuses];
  }

  /** GitHub's rollup of a commit's contexts; null when nothing reported. */
  rollup(repo: string, sha: string): "SUCCESS" | "PENDING" | "FAILURE" | null {
    const contexts = this.contexts(repo, sha);
    if (contexts.length === 0) return null;
    if (contexts.some((c) => c.state === "FAILURE")) return "FAILURE";
    return contexts.some((c) => c.state === "PENDING") ? "PENDING" : "SUCCESS";
  }

  /** Creates a check run (and its app's suite on that commit if new). */
  createRun(input: CheckRunInput): CheckRun {
    const repo = `${input.repo.owner}/${input.repo.name}`;
    const at = this.#store.now();
    const suite = this.#suiteFor(repo, input.headSha, input.app, at);
    const key = `checkRun:${repo}:${input.headSha}:${input.name}:${this.#store.state.checkRuns.length}`;
    const run: CheckRun = {
      id: nodeId(NodePrefix.checkRun, key),
      databaseId: databaseId(key),
      suiteId: suite.id,
      repo,
      headSha: input.headSha,
      name: input.name,
      status: input.status,
      conclusion: input.status === "COMPLETED" ? (input.conclusion ?? "SUCCESS") : null,
      startedAt: at,
      completedAt: input.status === "COMPLETED" ? at : null,
      detailsUrl: input.detailsUrl ?? null,
      title: input.title ?? null,
      summary: input.summary ?? null,
    };
    this.#store.state.checkRuns.push(run);
    this.#refreshSuite(suite, at);
    this.#store.emit({ type: "checkRun.created", checkRun: run, actor: input.actor });
    if (run.status === "COMPLETED") this.#completed(run, suite, input.actor);
    return run;
  }

  /** Moves a run along (in progress, or completed with a conclusion). */
  updateRun(
    run: CheckRun,
    input: { status: CheckRun["status"]; conclusion: CheckConclusion | null; actor: string },
  ): CheckRun {
    if (run.status === "COMPLETED") return run;
    const at = this.#store.now();
    run.status = input.status;
    if (input.status === "COMPLETED") {
      run.conclusion = input.conclusion ?? "SUCCESS";
      run.completedAt = at;
    }
    const suite = this.suite(run.suiteId);
    this.#refreshSuite(suite, at);
    if (run.status === "COMPLETED") this.#completed(run, suite, input.actor);
    return run;
  }

  createStatus(input: {
    repo: Repo;
    sha: string;
    state: StatusState;
    context: string;
    description?: string | null;
    targetUrl?: string | null;
    actor: string;
  }): CommitStatus {
    const repo = `${input.repo.owner}/${input.repo.name}`;
    const at = this.#store.now();
    const key = `status:${repo}:${input.sha}:${input.context}:${this.#store.state.statuses.length}`;
    const status: CommitStatus = {
      id: nodeId(NodePrefix.statusContext, key),
      databaseId: databaseId(key),
      repo,
      sha: input.sha,
      context: input.context,
      state: input.state,
      description: input.description ?? null,
      targetUrl: input.targetUrl ?? null,
      creator: input.actor,
      createdAt: at,
      updatedAt: at,
    };
    this.#store.state.statuses.push(status);
    this.#store.emit({ type: "status.created", status, actor: input.actor });
    this.#loop.merges.checksChanged(input.repo, input.sha);
    return status;
  }

  #suiteFor(repo: string, sha: string, app: string, at: string): CheckSuite {
    const existing = this.#store.state.checkSuites.find(
      (s) => s.repo === repo && s.headSha === sha && s.app === app,
    );
    if (existing !== undefined) return existing;
    const key = `checkSuite:${repo}:${sha}:${app}`;
    const branch = this.#loop.pulls.openFor(repo).find((p) => p.headRefOid === sha)?.headRefName ?? null;
    const suite: CheckSuite = {
      id: nodeId(NodePrefix.checkSuite, key),
      databaseId: databaseId(key),
      repo,
      headSha: sha,
      headBranch: branch,
      app,
      status: "QUEUED",
      conclusion: null,
      createdAt: at,
      updatedAt: at,
    };
    this.#store.state.checkSuites.push(suite);
    return suite;
  }

  #refreshSuite(suite: CheckSuite, at: string): void {
    const runs = this.#store.state.checkRuns.filter((r) => r.suiteId === suite.id);
    suite.updatedAt = at;
    if (runs.some((r) => r.status !== "COMPLETED")) {
      suite.status = runs.some((r) => r.status === "IN_PROGRESS") ? "IN_PROGRESS" : "QUEUED";
      suite.conclusion = null;
      return;
    }
    suite.status = "COMPLETED";
    const conclusions = runs.map((r) => r.conclusion);
    suite.conclusion = conclusions.every((c) => PASSING.includes(c))
      ? conclusions.every((c) => c === "SKIPPED" || c === "NEUTRAL")
        ? "NEUTRAL"
        : "SUCCESS"
      : (conclusions.find((c) => !PASSING.includes(c)) ?? "FAILURE");
  }

  #completed(run: CheckRun, suite: CheckSuite, actor: string): void {
    this.#store.emit({ type: "checkRun.completed", checkRun: run, actor });
    if (suite.status === "COMPLETED")
      this.#store.emit({ type: "checkSuite.completed", checkSuite: suite, actor });
    const repo = this.#loop.git.repo(run.repo);
    this.#loop.merges.checksChanged(repo, run.headSha);
  }
}
