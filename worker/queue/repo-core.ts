/**
 * The RepoQueue's logic without the Durable Object: its tables, the serial chain of board work,
 * gate passes kicked off at once and coalesced, the agenda its one alarm serves, and the RPC
 * surface the supervisor and the operator call. The RepoQueue class gives it storage, sockets
 * and bindings through a `RepoHost`; the fault simulation gives it the same over node:sqlite.
 */
import type { ItemStamp } from "../board/board-client.ts";
import type { BoardItem, IssueState } from "../board/board-item.ts";
import { armAlarm } from "../objects/agenda.ts";
import { migrate } from "../objects/migrate.ts";
import { applyRunFrame } from "./agent-frames.ts";
import { indexOf, type IndexDelta } from "./apply-event.ts";
import { LiveNudge } from "./live-nudge.ts";
import type { OperatorDeps } from "./operator-actions.ts";
import type { ReconcileResult } from "./reconcile-board.ts";
import type { RepoHost, IngestInput, RepoOutcome, RunFrame } from "./repo-host.ts";
import type { RepoLoop } from "./repo-loop.ts";
import { RepoParts } from "./repo-parts.ts";
import type { QaVerdictResult } from "./repo-qa.ts";
import { REPO_QUEUE_MIGRATIONS } from "./repo-schema.ts";
import type { RepoQueueState } from "./repo-state.ts";
import type { SteerInput, SteerResult } from "./steering.ts";

export type { IngestInput, RepoHost, RepoOutcome, RepoQueueState };
export type { SupervisorPort } from "./repo-host.ts";

/** A pass is kicked off at once; this agenda entry re-runs it if the object died meanwhile. */
const PASS_BACKSTOP_MS = 30_000;
const FAILED_WORK_RETRY_MS = 30_000;

export class RepoCore {
  readonly #host: RepoHost;
  readonly #p: RepoParts;
  #loop: RepoLoop | undefined;
  /** Serializes board work: a pass or a finish awaits GitHub, and must not interleave. */
  #chain: Promise<unknown> = Promise.resolve();
  /** A pass is waiting in the chain: further requests join it (a burst costs one pass). */
  #passQueued = false;
  /** Deliveries being applied now (a redelivery racing the first copy is dropped). */
  readonly #applying = new Set<string>();
  #nudge: LiveNudge | undefined;

  constructor(host: RepoHost) {
    this.#host = host;
    this.#p = new RepoParts(host);
  }

  migrate(): void {
    migrate(this.#host.storage, REPO_QUEUE_MIGRATIONS);
  }

  /** Remembers which repo this queue serves (the first caller names it). */
  name(repo: string): void {
    this.#p.meta.setOnce("repo", repo);
  }

  /**
   * Applies one routed event to the mirror, once per delivery id, and gates at once if it
   * changed what the gate sees. Returns what the supervisor fans out.
   */
  async ingest(input: IngestInput): Promise<RepoOutcome> {
    this.name(input.repo);
    if (input.selfLogin && this.#p.meta.get("self_login") !== input.selfLogin)
      this.#p.meta.set("self_login", input.selfLogin);
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
      // A merge, a close or checks that settled: GitHub work, in the serial chain (a throw
      // leaves the delivery unapplied, so the supervisor hands it again).
      const landed =
        delta.reviews.length > 0 ? await this.#serial(() => loop.reviews.settle(delta.reviews)) : [];
      sql.exec(
        "INSERT INTO applied_events (delivery_id, applied_at) VALUES (?, ?)",
        input.deliveryId,
        this.#host.now(),
      );
      if (delta.pass || fill?.pass === true || read !== null || delta.reviews.length > 0) this.requestPass();
      return {
        applied: true,
        completions: [
          ...(fill?.completions ?? []),
          ...delta.completions,
          ...(read?.completions ?? []),
          ...landed,
        ],
        // A first full read indexes everything; otherwise the item read, or the delta.
        index: fill?.index ?? read?.index ?? delta.index,
        echo: delta.echo && fill === null && read === null,
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
      index: indexOf(this.#p.mirror.items(), true),
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
    const changed = (this.#p.meta.get("paused") === "1") !== paused;
    this.#p.meta.set("paused", paused ? "1" : "0");
    await this.#serial(() => this.#pass());
    return { changed };
  }

  async state(): Promise<RepoQueueState> {
    const loop = this.#p.repo(this.#host.config()) ? this.#repoLoop() : undefined;
    return this.#p.state(loop, await this.#host.storage.getAlarm());
  }

  /** Of the runs an agent reports at hello, those this queue no longer recognises (to stop). */
  stopRuns(runs: readonly { runId: string; fence: number }[]): string[] {
    return runs.filter((run) => !this.#p.runs.checkFence(run.runId, run.fence).ok).map((run) => run.runId);
  }

  /** Frames sent to this agent and not acknowledged yet, oldest first: resent at its hello. */
  pending(agentId: string): string[] {
    return this.#p.outbox.pending(agentId);
  }

  /** An agent said hello (a new or resumed socket): what may run, runs. */
  agentConnected(): void {
    this.requestPass();
  }

  /** An agent's socket closed; its runs keep their lease (it may come back before it ends). */
  agentGone(): void {
    this.#liveChanged();
  }

  acknowledge(frameId: string): void {
    this.#p.outbox.ack(frameId);
  }

  /** One run frame from an agent (fence and capability checked); returns the reply to send. */
  async runFrame(frame: RunFrame): Promise<string> {
    const reply = await this.#serial(() =>
      applyRunFrame(frame, {
        runs: this.#p.runs,
        outbox: this.#p.outbox,
        loop: this.#repoLoop(),
        leaseMs: this.#host.config().lease.durationSeconds * 1000,
        now: this.#host.now,
        transaction: (work) => this.#host.storage.transactionSync(work),
      }),
    );
    if (frame.type === "run_finished") this.requestPass();
    this.#liveChanged();
    await this.armAlarm();
    return reply;
  }

  /** Runs what the agenda says is due, and nothing else. */
  async alarm(): Promise<void> {
    this.#p.meta.set("alarms", String((this.#p.meta.getNumber("alarms") ?? 0) + 1));
    const due = new Set(this.#p.agenda.take(this.#host.now()).map((entry) => entry.kind));
    if (!this.#p.repo(this.#host.config())) return;
    await this.#serial(async () => {
      const loop = this.#repoLoop();
      if (due.has("lease")) await loop.expireLeases();
      if (due.has("board-lease")) await loop.renewBoardLeases();
      if (due.has("prune")) this.#p.prune(this.#host.now());
      if (due.has("pr-retry")) await loop.reviews.retryOpenings();
      if (due.has("qa-timeout")) await loop.reviews.escalateQa();
    });
    if (due.has("lease") || due.has("retry") || due.has("pass")) await this.#serial(() => this.#pass());
    await this.armAlarm();
  }

  /**
   * Gates at once, without waiting for the caller: a burst of requests while a pass runs
   * costs one more pass. The agenda's backstop re-runs it if the object dies meanwhile.
   */
  requestPass(): void {
    this.#p.agenda.setEarliest("pass", "pass", this.#host.now() + PASS_BACKSTOP_MS);
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
    return this.#p.operatorDeps(this.#repoLoop());
  }

  /** Keeps the agenda's timers, then arms the one alarm at the earliest entry, or none. */
  async armAlarm(): Promise<void> {
    const now = this.#host.now();
    this.#p.scheduleTimers(now, this.#loop);
    await armAlarm(this.#host.storage, this.#p.agenda, now);
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
    if (done !== null) this.#p.agenda.cancel("pass");
    this.#p.meta.set("passes", String((this.#p.meta.getNumber("passes") ?? 0) + 1));
    this.#liveChanged();
  }

  /** Tells the supervisor, coalesced, that what the dashboard shows changed. */
  #liveChanged(): void {
    const repo = this.#p.meta.get("repo");
    if (repo === null) return;
    this.#nudge ??= new LiveNudge({
      send: () => this.#host.supervisor(this.#host.config()).repoChanged(repo),
      waitUntil: (work) => this.#host.waitUntil(work),
      log: (event, fields) => this.#host.log(JSON.stringify({ event, repo, ...fields })),
    });
    this.#nudge.request();
  }

  /** Runs board work; a failure is recorded for the operator and the work retried on the agenda. */
  async #guarded<T>(work: () => Promise<T>): Promise<T | null> {
    try {
      const result = await work();
      this.#p.meta.set("last_error", "");
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#p.meta.set(
        "last_error",
        JSON.stringify({ at: new Date(this.#host.now()).toISOString(), error: message }),
      );
      this.#p.agenda.setEarliest("pass", "pass", this.#host.now() + FAILED_WORK_RETRY_MS);
      this.#host.log(JSON.stringify({ event: "board_work_failed", repo: this.#p.meta.get("repo"), message }));
      return null;
    }
  }

  #repoLoop(): RepoLoop {
    if (this.#loop) return this.#loop;
    const config = this.#host.config();
    const repo = this.#p.repo(config);
    if (!repo)
      throw new Error(`RepoQueue ${this.#p.meta.get("repo") ?? "(unnamed)"} is not a repo of the workspace`);
    this.#loop = this.#p.loop(config, repo);
    return this.#loop;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(work, work);
    this.#chain = next.catch(() => undefined);
    return next;
  }
}
