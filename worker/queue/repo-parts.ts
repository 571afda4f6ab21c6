/**
 * The RepoQueue's parts over its SQLite storage (queue, runs, outbox, meta, QA sessions,
 * agenda, mirror, dependency states, run scopes), and what is done with them as a whole: the
 * repo loop's wiring, the agenda's timers, the journals' pruning, the operator's view. Used
 * by the RepoQueue's core; plain, so it runs in Node too.
 */
import type { RepoConfig, WorkspaceConfig } from "../config/workspace-config.ts";
import { Agenda } from "../objects/agenda.ts";
import { RETENTION } from "../storage/limits.ts";
import { BoardMirror, OWN_WRITE_MEMORY_MS } from "./board-mirror.ts";
import { CloudSessions } from "./cloud-sessions.ts";
import { DependencyStates } from "./dependency-states.ts";
import { Meta } from "./meta.ts";
import { MicroQueue } from "./micro-queue.ts";
import type { OperatorDeps } from "./operator-actions.ts";
import { Outbox } from "./outbox.ts";
import { PendingReleases, RELEASE_RETRY_MS } from "./pending-releases.ts";
import { pruneRepoJournals } from "./prune-journals.ts";
import { QaSessions } from "./qa-sessions.ts";
import type { RepoHost } from "./repo-host.ts";
import { RepoLoop } from "./repo-loop.ts";
import { repoState, type RepoQueueState } from "./repo-state.ts";
import { Runs } from "./runs.ts";
import { RunScopes } from "./scope-steering.ts";
import { Reviews } from "../pr/reviews.ts";

const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000;

export class RepoParts {
  readonly queue: MicroQueue;
  readonly runs: Runs;
  readonly outbox: Outbox;
  readonly meta: Meta;
  readonly qa: QaSessions;
  readonly agenda: Agenda;
  readonly mirror: BoardMirror;
  readonly depStates: DependencyStates;
  readonly scopes: RunScopes;
  readonly reviews: Reviews;
  readonly cloud: CloudSessions;
  readonly releases: PendingReleases;
  readonly #host: RepoHost;

  constructor(host: RepoHost) {
    this.#host = host;
    const sql = host.storage.sql;
    this.queue = new MicroQueue(sql);
    this.runs = new Runs(sql);
    this.outbox = new Outbox(sql);
    this.meta = new Meta(sql);
    this.qa = new QaSessions(sql);
    this.agenda = new Agenda(sql);
    this.mirror = new BoardMirror(sql);
    this.depStates = new DependencyStates(sql);
    this.scopes = new RunScopes(sql);
    this.reviews = new Reviews(sql);
    this.cloud = new CloudSessions(sql);
    this.releases = new PendingReleases(sql);
  }

  /** The repo this queue serves, if it is (still) a repo of the workspace. */
  repo(config: WorkspaceConfig): RepoConfig | undefined {
    const name = this.meta.get("repo");
    return name === null
      ? undefined
      : config.repos.find((repo) => repo.name.toLowerCase() === name.toLowerCase());
  }

  /**
   * Keeps the agenda's timers from the runs and the queue: lease expiry, board lease renewal,
   * retry backoff, pruning (while there is something to prune; an idle, empty queue sleeps).
   */
  scheduleTimers(now: number, loop: RepoLoop | undefined): void {
    const { agenda } = this;
    const expiry = this.runs.nextExpiry();
    if (expiry === null) agenda.cancel("lease");
    else agenda.set("lease", "lease", expiry);
    const renewal = loop?.nextBoardRenewal() ?? null;
    if (renewal === null) agenda.cancel("board-lease");
    else agenda.set("board-lease", "board-lease", renewal);
    // Kept when already due: a retry whose time came must still be gated by the alarm.
    const retry = this.queue.nextNotBefore(now);
    if (retry !== null) agenda.setEarliest("retry", "retry", retry);
    if (this.releases.count() > 0) agenda.setEarliest("retry", "retry", now + RELEASE_RETRY_MS);
    // A PR whose opening failed is tried again; a QA item waiting too long is escalated.
    for (const [key, due] of [
      ["pr-retry", loop?.reviews.nextRetry() ?? null],
      ["qa-timeout", loop?.reviews.nextQaTimeout() ?? null],
    ] as const) {
      if (due === null) agenda.cancel(key);
      else agenda.set(key, key, due);
    }
    if (agenda.list().length > 0 && agenda.get("prune") === null)
      agenda.set("prune", "prune", now + PRUNE_EVERY_MS);
  }

  /** Applied frames and events, finished runs (by age and count, worker/storage/limits.ts), old own writes. */
  prune(now: number): void {
    const parts = { sql: this.#host.storage.sql, runs: this.runs, outbox: this.outbox };
    pruneRepoJournals(parts, now, (work) => this.#host.storage.transactionSync(work));
    this.reviews.prune(now - RETENTION.finishedRuns.maxAgeMs);
    this.mirror.pruneOwnWrites(now - OWN_WRITE_MEMORY_MS);
  }

  state(loop: RepoLoop | undefined, alarm: number | null): RepoQueueState {
    return repoState({
      ...this,
      config: this.#host.config(),
      agents: this.#host.agents(),
      loop,
      alarm,
      now: this.#host.now(),
    });
  }

  operatorDeps(loop: RepoLoop): OperatorDeps {
    return {
      config: this.#host.config(),
      repo: loop.repo,
      queue: this.queue,
      runs: this.runs,
      mirror: this.mirror,
      dependencyStates: () => this.depStates.all(),
      board: loop.board,
      steer: (input) => loop.steer(input),
      paused: () => this.meta.get("paused") === "1",
      agents: () => this.#host.agents().length,
      transaction: (work) => this.#host.storage.transactionSync(work),
      now: this.#host.now,
    };
  }

  /** The repo loop over these parts, talking to the supervisor and the board through the host. */
  loop(config: WorkspaceConfig, repo: RepoConfig): RepoLoop {
    const host = this.#host;
    const supervisor = () => host.supervisor(config);
    return new RepoLoop({
      config,
      repo,
      queue: this.queue,
      runs: this.runs,
      outbox: this.outbox,
      mirror: this.mirror,
      depStates: this.depStates,
      scopes: this.scopes,
      reviews: this.reviews,
      cloud: this.cloud,
      releases: this.releases,
      meta: this.meta,
      board: host.board(config, this.meta),
      transaction: (work) => host.storage.transactionSync(work),
      agents: () => host.agents(),
      send: (agentId, frame) => host.send(agentId, frame),
      now: host.now,
      log: (event, fields) => host.log(JSON.stringify({ event, repo: repo.name, ...fields })),
      qa: this.qa,
      reportQa: async (waiting) => {
        const entries = waiting.map(({ number, title, url }) => ({ number, title, url }));
        await supervisor().syncQa(repo.name, entries);
      },
      paused: () => this.meta.get("paused") === "1",
      reportStale: (claims) => supervisor().reportStaleClaims(repo.name, claims),
      journal: (kind, number, detail) => supervisor().journal(kind, repo.name, number, detail),
      notifyParked: async (parked) => {
        await supervisor().notify({ kind: "parked", repo: repo.name, ...parked });
      },
      selfLogin: () => this.meta.get("self_login") || null,
    });
  }
}
