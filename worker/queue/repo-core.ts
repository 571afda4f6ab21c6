/**
 * The RepoQueue's logic without the Durable Object: its tables, the serial chain of board work,
 * gate passes kicked off at once and coalesced, the agenda its one alarm serves, and the RPC
 * surface the supervisor and the operator call. The RepoQueue class gives it storage, sockets
 * and bindings through a `RepoHost`; the fault simulation gives it the same over node:sqlite.
 */
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import { findRepo } from "../config/workspace-config.ts";
import type { ItemStamp } from "../board/board-client.ts";
import type { BoardItem, IssueState } from "../board/board-item.ts";
import type { StaleClaim } from "../board/gate.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import type { AgentMessage } from "../protocol/messages.ts";
import type { NotificationCause } from "../supervisor/notifications.ts";
import type { MetaKind } from "../supervisor/meta-queue.ts";
import type { QaEntry } from "../supervisor/qa-sequence.ts";
import { Agenda, armAlarm } from "../objects/agenda.ts";
import { migrate } from "../objects/migrate.ts";
import { applyRunFrame } from "./agent-frames.ts";
import type { AgentInfo } from "./agents.ts";
import { indexOf, type IndexDelta } from "./apply-event.ts";
import { BoardMirror, OWN_WRITE_MEMORY_MS } from "./board-mirror.ts";
import type { BoardPort } from "./board-port.ts";
import { DependencyStates } from "./dependency-states.ts";
import { Meta } from "./meta.ts";
import { MicroQueue } from "./micro-queue.ts";
import type { OperatorDeps } from "./operator-actions.ts";
import { Outbox } from "./outbox.ts";
import { pruneRepoJournals } from "./prune-journals.ts";
import { QaSessions } from "./qa-sessions.ts";
import type { ReconcileResult } from "./reconcile-board.ts";
import { RepoLoop } from "./repo-loop.ts";
import type { QaVerdictResult } from "./repo-qa.ts";
import { REPO_QUEUE_MIGRATIONS } from "./repo-schema.ts";
import { repoState, type RepoQueueState } from "./repo-state.ts";
import { Runs } from "./runs.ts";
import { RunScopes } from "./scope-steering.ts";
import type { StoragePort } from "./sql.ts";
import type { SteerInput, SteerResult } from "./steering.ts";

/** A pass is kicked off at once; this agenda entry re-runs it if the object died meanwhile. */
const PASS_BACKSTOP_MS = 30_000;
const FAILED_WORK_RETRY_MS = 30_000;
const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000;

export type { RepoQueueState };

export interface IngestInput {
  repo: string;
  deliveryId: string;
  event: WorkspaceEvent;
  /** The item, when the supervisor read it to route the event. */
  item?: BoardItem | null;
  /** The login the dispatcher writes as, when the supervisor knows it. */
  selfLogin?: string | null;
}

/** What the supervisor fans out after an event or a reconciliation of this repo. */
export interface RepoOutcome {
  applied: boolean;
  completions: IssueState[];
  index: IndexDelta | null;
}

/** What a RepoQueue calls on its workspace's supervisor. */
export interface SupervisorPort {
  syncQa(repo: string, waiting: Omit<QaEntry, "repo">[]): Promise<void>;
  reportStaleClaims(repo: string, claims: StaleClaim[]): Promise<void>;
  journal(kind: MetaKind, repo: string, number: number | null, detail: string): Promise<void>;
  notify(cause: NotificationCause): Promise<unknown>;
}

export interface RepoHost {
  storage: StoragePort;
  /** Agents that said hello on this queue's sockets. */
  agents(): AgentInfo[];
  send(agentId: string, frame: string): void;
  waitUntil(work: Promise<unknown>): void;
  config(): WorkspaceConfig;
  /** The board client of this object, whose meter and schema live in `meta`. */
  board(config: WorkspaceConfig, meta: Meta): BoardPort;
  supervisor(config: WorkspaceConfig): SupervisorPort;
  now(): number;
  log(line: string): void;
}

type RunFrame = Exclude<AgentMessage, { type: "hello" | "ack" }>;

export class RepoCore {
  readonly #host: RepoHost;
  readonly #queue: MicroQueue;
  readonly #runs: Runs;
  readonly #outbox: Outbox;
  readonly #meta: Meta;
  readonly #qa: QaSessions;
  readonly #agenda: Agenda;
  readonly #mirror: BoardMirror;
  readonly #depStates: DependencyStates;
  readonly #scopes: RunScopes;
  #loop: RepoLoop | undefined;
  /** Serializes board work: a pass or a finish awaits GitHub, and must not interleave. */
  #chain: Promise<unknown> = Promise.resolve();
  /** A pass is waiting in the chain: further requests join it (a burst costs one pass). */
  #passQueued = false;
  /** Deliveries being applied now (a redelivery racing the first copy is dropped). */
  readonly #applying = new Set<string>();

  constructor(host: RepoHost) {
    this.#host = host;
    const sql = host.storage.sql;
    this.#queue = new MicroQueue(sql);
    this.#runs = new Runs(sql);
    this.#outbox = new Outbox(sql);
    this.#meta = new Meta(sql);
    this.#qa = new QaSessions(sql);
    this.#agenda = new Agenda(sql);
    this.#mirror = new BoardMirror(sql);
    this.#depStates = new DependencyStates(sql);
    this.#scopes = new RunScopes(sql);
  }

  migrate(): void {
    migrate(this.#host.storage, REPO_QUEUE_MIGRATIONS);
  }

  /** Remembers which repo this queue serves (the first caller names it). */
  name(repo: string): void {
    this.#meta.setOnce("repo", repo);
  }

  /**
   * Applies one routed event to the mirror, once per delivery id, and gates at once if it
   * changed what the gate sees. Returns what the supervisor fans out.
   */
  async ingest(input: IngestInput): Promise<RepoOutcome> {
    this.name(input.repo);
    if (input.selfLogin && this.#meta.get("self_login") !== input.selfLogin)
      this.#meta.set("self_login", input.selfLogin);
    const sql = this.#host.storage.sql;
    const seen = sql.exec("SELECT 1 FROM applied_events WHERE delivery_id = ?", input.deliveryId).toArray();
    if (seen.length > 0 || this.#applying.has(input.deliveryId))
      return { applied: false, completions: [], index: null };
    this.#applying.add(input.deliveryId);
    try {
      const loop = this.#repoLoop();
      const fill = loop.filled() ? null : await this.#serial(() => loop.fill());
      const delta = loop.applyDelta(input.deliveryId, input.event, input.item ?? null);
      const read = delta.read.length > 0 ? await this.#serial(() => loop.readItems(delta.read)) : null;
      sql.exec(
        "INSERT INTO applied_events (delivery_id, applied_at) VALUES (?, ?)",
        input.deliveryId,
        this.#host.now(),
      );
      if (delta.pass || fill?.pass === true || read !== null) this.requestPass();
      return {
        applied: true,
        completions: [...(fill?.completions ?? []), ...delta.completions, ...(read?.completions ?? [])],
        // A first full read indexes everything; otherwise the item read, or the delta.
        index: fill?.index ?? read?.index ?? delta.index,
      };
    } finally {
      this.#applying.delete(input.deliveryId);
    }
  }

  /** Issues elsewhere that this repo's items wait on changed (the supervisor's fan-out). */
  async dependencyUpdate(repo: string, states: IssueState[]): Promise<void> {
    this.name(repo);
    if (this.#repoLoop().dependencyUpdate(states)) this.requestPass();
  }

  /** The backstop's full read of this repo, when due (first start, the long interval) or `full`. */
  async reconcile(repo: string, request: { full?: boolean } = {}): Promise<RepoOutcome> {
    this.name(repo);
    return this.#reconciled(() => this.#repoLoop().reconcile(request));
  }

  /** This repo's share of the supervisor's light scan of the items not done. */
  async applyScan(repo: string, stamps: ItemStamp[], found: BoardItem[]): Promise<RepoOutcome> {
    this.name(repo);
    return this.#reconciled(() => this.#repoLoop().applyScan(stamps, found));
  }

  /** The repo's whole index for the supervisor, from the mirror (filled first if empty). */
  async reportIndex(repo: string): Promise<RepoOutcome & { index: IndexDelta }> {
    this.name(repo);
    const loop = this.#repoLoop();
    const fill = loop.filled() ? null : await this.#serial(() => loop.fill());
    if (fill?.pass === true) this.requestPass();
    return {
      applied: fill !== null,
      completions: fill?.completions ?? [],
      index: indexOf(this.#mirror.items(), true),
    };
  }

  /** A steering command for a live run, applied once per (source event, run, command). */
  steer(input: SteerInput): SteerResult {
    return this.#repoLoop().steer(input);
  }

  async qaVerdict(number: number, verdict: "pass" | "fail", note: string | null): Promise<QaVerdictResult> {
    const result = await this.#serial(() => this.#repoLoop().decideQa(number, verdict, note));
    if (result.ok) this.requestPass();
    return result;
  }

  /** Pauses or resumes dispatch; says whether anything changed (a repeat changes nothing). */
  async setPaused(repo: string, paused: boolean): Promise<{ changed: boolean }> {
    this.name(repo);
    const changed = (this.#meta.get("paused") === "1") !== paused;
    this.#meta.set("paused", paused ? "1" : "0");
    await this.#serial(() => this.#pass());
    return { changed };
  }

  async state(): Promise<RepoQueueState> {
    const repo = this.#meta.get("repo");
    const loop = repo !== null && findRepo(this.#host.config(), repo) ? this.#repoLoop() : undefined;
    return repoState({
      config: this.#host.config(),
      meta: this.#meta,
      queue: this.#queue,
      mirror: this.#mirror,
      runs: this.#runs,
      qa: this.#qa,
      outbox: this.#outbox,
      agenda: this.#agenda,
      agents: this.#host.agents(),
      loop,
      alarm: await this.#host.storage.getAlarm(),
      now: this.#host.now(),
    });
  }

  /** An agent said hello (a new or resumed socket): what may run, runs. */
  agentConnected(): void {
    this.requestPass();
  }

  acknowledge(frameId: string): void {
    this.#outbox.ack(frameId);
  }

  /** One run frame from an agent (fence and capability checked); returns the reply to send. */
  async runFrame(frame: RunFrame): Promise<string> {
    const reply = await this.#serial(() =>
      applyRunFrame(frame, {
        runs: this.#runs,
        outbox: this.#outbox,
        loop: this.#repoLoop(),
        leaseMs: this.#host.config().lease.durationSeconds * 1000,
        now: this.#host.now,
        transaction: (work) => this.#host.storage.transactionSync(work),
      }),
    );
    if (frame.type === "run_finished") this.requestPass();
    await this.armAlarm();
    return reply;
  }

  /** Runs what the agenda says is due, and nothing else. */
  async alarm(): Promise<void> {
    const due = new Set(this.#agenda.take(this.#host.now()).map((entry) => entry.kind));
    const repo = this.#meta.get("repo");
    if (repo === null || !findRepo(this.#host.config(), repo)) return;
    await this.#serial(async () => {
      const loop = this.#repoLoop();
      if (due.has("lease")) await loop.expireLeases();
      if (due.has("board-lease")) await loop.renewBoardLeases();
      if (due.has("prune")) this.#prune();
    });
    if (due.has("lease") || due.has("retry") || due.has("pass")) await this.#serial(() => this.#pass());
    await this.armAlarm();
  }

  /**
   * Gates at once, without waiting for the caller: a burst of requests while a pass runs
   * costs one more pass. The agenda's backstop re-runs it if the object dies meanwhile.
   */
  requestPass(): void {
    this.#agenda.setEarliest("pass", "pass", this.#host.now() + PASS_BACKSTOP_MS);
    if (this.#passQueued) return;
    this.#passQueued = true;
    this.#host.waitUntil(
      this.#serial(async () => {
        this.#passQueued = false;
        await this.#pass();
      }).then(() => this.armAlarm()),
    );
  }

  /** Board work for the operator's actions, serialized like every pass. */
  serial<T>(work: () => Promise<T>): Promise<T> {
    return this.#serial(work);
  }

  /** What the operator's actions (worker/queue/operator-actions.ts) work on. */
  operatorDeps(): OperatorDeps {
    const loop = this.#repoLoop();
    const config = this.#host.config();
    return {
      config,
      repo: loop.repo,
      queue: this.#queue,
      runs: this.#runs,
      mirror: this.#mirror,
      dependencyStates: () => this.#depStates.all(),
      board: loop.board,
      steer: (input) => loop.steer(input),
      paused: () => this.#meta.get("paused") === "1",
      agents: () => this.#host.agents().length,
      transaction: (work) => this.#host.storage.transactionSync(work),
      now: this.#host.now,
    };
  }

  /**
   * Keeps the agenda's timers from the runs and the queue (lease expiry, board lease renewal,
   * retry backoff, pruning), then arms the one alarm at the earliest entry, or none.
   */
  async armAlarm(): Promise<void> {
    const now = this.#host.now();
    const expiry = this.#runs.nextExpiry();
    if (expiry === null) this.#agenda.cancel("lease");
    else this.#agenda.set("lease", "lease", expiry);
    const renewal = this.#loop?.nextBoardRenewal() ?? null;
    if (renewal === null) this.#agenda.cancel("board-lease");
    else this.#agenda.set("board-lease", "board-lease", renewal);
    // Kept when already due: a retry whose time came must still be gated by the alarm.
    const retry = this.#queue.nextNotBefore(now);
    if (retry !== null) this.#agenda.setEarliest("retry", "retry", retry);
    // Journals are pruned while there is something to prune; an idle, empty queue sleeps.
    if (this.#agenda.list().length > 0 && this.#agenda.get("prune") === null)
      this.#agenda.set("prune", "prune", now + PRUNE_EVERY_MS);
    await armAlarm(this.#host.storage, this.#agenda, now);
  }

  async #reconciled(work: () => Promise<ReconcileResult>): Promise<RepoOutcome> {
    const result = await this.#serial(() => this.#guarded(work));
    if (result === null) return { applied: false, completions: [], index: null };
    if (result.changed) await this.#serial(() => this.#pass());
    await this.armAlarm();
    return { applied: result.kind !== "none", completions: result.completions, index: result.index };
  }

  async #pass(): Promise<void> {
    const done = await this.#guarded(() => this.#repoLoop().pass());
    if (done !== null) this.#agenda.cancel("pass");
    this.#meta.set("passes", String((this.#meta.getNumber("passes") ?? 0) + 1));
  }

  /** Runs board work; a failure is recorded for the operator and the work retried on the agenda. */
  async #guarded<T>(work: () => Promise<T>): Promise<T | null> {
    try {
      const result = await work();
      this.#meta.set("last_error", "");
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#meta.set(
        "last_error",
        JSON.stringify({ at: new Date(this.#host.now()).toISOString(), error: message }),
      );
      this.#agenda.setEarliest("pass", "pass", this.#host.now() + FAILED_WORK_RETRY_MS);
      this.#host.log(JSON.stringify({ event: "board_work_failed", repo: this.#meta.get("repo"), message }));
      return null;
    }
  }

  #prune(): void {
    const now = this.#host.now();
    // Applied frames and events, finished runs: by age and count (worker/storage/limits.ts).
    const parts = { sql: this.#host.storage.sql, runs: this.#runs, outbox: this.#outbox };
    pruneRepoJournals(parts, now, (work) => this.#host.storage.transactionSync(work));
    this.#mirror.pruneOwnWrites(now - OWN_WRITE_MEMORY_MS);
  }

  #repoLoop(): RepoLoop {
    if (this.#loop) return this.#loop;
    const config = this.#host.config();
    const name = this.#meta.get("repo");
    const repo = name ? findRepo(config, name) : undefined;
    if (!repo) throw new Error(`RepoQueue ${name ?? "(unnamed)"} is not a repo of the workspace`);
    const supervisor = () => this.#host.supervisor(config);
    this.#loop = new RepoLoop({
      config,
      repo,
      queue: this.#queue,
      runs: this.#runs,
      outbox: this.#outbox,
      mirror: this.#mirror,
      depStates: this.#depStates,
      scopes: this.#scopes,
      meta: this.#meta,
      board: this.#host.board(config, this.#meta),
      transaction: (work) => this.#host.storage.transactionSync(work),
      agents: () => this.#host.agents(),
      send: (agentId, frame) => this.#host.send(agentId, frame),
      now: this.#host.now,
      log: (event, fields) => this.#host.log(JSON.stringify({ event, repo: repo.name, ...fields })),
      qa: this.#qa,
      reportQa: async (waiting) => {
        const entries = waiting.map(({ number, title, url }) => ({ number, title, url }));
        await supervisor().syncQa(repo.name, entries);
      },
      paused: () => this.#meta.get("paused") === "1",
      reportStale: (claims) => supervisor().reportStaleClaims(repo.name, claims),
      journal: (kind, number, detail) => supervisor().journal(kind, repo.name, number, detail),
      notifyParked: async (parked) => {
        await supervisor().notify({ kind: "parked", repo: repo.name, ...parked });
      },
      selfLogin: () => this.#meta.get("self_login") || null,
    });
    return this.#loop;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(work, work);
    this.#chain = next.catch(() => undefined);
    return next;
  }
}
