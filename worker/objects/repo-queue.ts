/**
 * RepoQueue: one Durable Object per configured repo (`idFromName("owner/name")`). Owns the
 * repo's board mirror, micro queue, gate verdicts, runs with their fences and leases, the
 * outbox, the agenda that its one alarm serves, and the hibernatable WebSockets of the repo's
 * local agents. Thin: the rules live in worker/queue, and this class wires events to them.
 */
import { DurableObject } from "cloudflare:workers";
import type { AppEnv } from "../env.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import { loadWorkspaceConfig } from "../config/load-config.ts";
import { findRepo, type RepoConfig } from "../config/workspace-config.ts";
import type { BoardItem, IssueState } from "../board/board-item.ts";
import type { ItemStamp } from "../board/board-client.ts";
import type { ReconcileResult } from "../queue/reconcile-board.ts";
import type { Budget } from "../board/api-budget.ts";
import type { StaleClaim } from "../board/gate.ts";
import { AgentMessage, parseFrame, PROTOCOL } from "../protocol/messages.ts";
import { boardFor } from "./create-board.ts";
import { AGENT_TAG, attachmentOf, connectedAgents, type Attachment } from "../queue/agents.ts";
import { applyRunFrame } from "../queue/agent-frames.ts";
import { greetAgent, type Hello } from "../queue/agent-hello.ts";
import { indexOf, type IndexDelta } from "../queue/apply-event.ts";
import { BoardMirror, MIRROR_SCHEMA, OWN_WRITE_MEMORY_MS } from "../queue/board-mirror.ts";
import { DependencyStates, DEPENDENCY_STATES_SCHEMA } from "../queue/dependency-states.ts";
import { lockMap, type HeldLock } from "../queue/lock-map.ts";
import { MICRO_QUEUE_SCHEMA, MicroQueue, type QueueItem } from "../queue/micro-queue.ts";
import { Meta, META_SCHEMA } from "../queue/meta.ts";
import { APPLIED_EVENTS_INDEX } from "../queue/applied-events.ts";
import { APPLIED_FRAMES_INDEX, Outbox, OUTBOX_SCHEMA } from "../queue/outbox.ts";
import { pruneRepoJournals } from "../queue/prune-journals.ts";
import { QaSessions, QA_SESSIONS_SCHEMA, type QaSession } from "../queue/qa-sessions.ts";
import type { QaVerdictResult } from "../queue/repo-qa.ts";
import { RepoLoop } from "../queue/repo-loop.ts";
import { RUN_SECRET_SCHEMA, Runs, RUNS_LAST_EVENT_SCHEMA, RUNS_SCHEMA, type Run } from "../queue/runs.ts";
import { RunScopes, RUN_SCOPES_SCHEMA } from "../queue/scope-steering.ts";
import type { SteerInput, SteerResult } from "../queue/steering.ts";
import { Agenda, AGENDA_SCHEMA, armAlarm, type AgendaEntry } from "./agenda.ts";
import { migrate } from "./migrate.ts";
// Operator actions (issue 9): the block at the end of the class.
import * as operator from "../queue/operator-actions.ts";
import type { Explanation } from "../queue/explain-item.ts";
// Live dashboard (issue 9): the block at the end of the class.
import { LiveNudge } from "../queue/live-nudge.ts";
import { liveRepoFields, type LiveRepoFields } from "../queue/live-repo-state.ts";

const REPO_QUEUE_MIGRATIONS = [
  `${MICRO_QUEUE_SCHEMA}
   CREATE TABLE applied_events (delivery_id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL);
   ${META_SCHEMA}`,
  RUNS_SCHEMA + OUTBOX_SCHEMA,
  QA_SESSIONS_SCHEMA,
  AGENDA_SCHEMA,
  `${MIRROR_SCHEMA} ${DEPENDENCY_STATES_SCHEMA} ALTER TABLE items DROP COLUMN snapshot;`,
  RUN_SCOPES_SCHEMA,
  RUNS_LAST_EVENT_SCHEMA,
  RUN_SECRET_SCHEMA + APPLIED_FRAMES_INDEX + APPLIED_EVENTS_INDEX,
];

/** A pass is kicked off at once; this agenda entry re-runs it if the object died meanwhile. */
const PASS_BACKSTOP_MS = 30_000;
const FAILED_WORK_RETRY_MS = 30_000;
const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000;

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
  /** The event only echoed a write of the dispatcher's own (live dashboard, issue 9). */
  echo?: boolean;
}

export interface RepoQueueState extends LiveRepoFields {
  repo: string | null;
  paused: boolean;
  items: QueueItem[];
  /** Every key held now and who holds it. */
  locks: HeldLock[];
  /** The repo's QA micro queue: sessions waiting for the operator. */
  qa: QaSession[];
  runs: Run[];
  agents: { agentId: string; capacity: number; liveRuns: number }[];
  staleClaims: StaleClaim[];
  outbox: number;
  mirror: { items: number; fullReadAt: number | null; scannedAt: number | null };
  /** Gate passes run so far (an echo or a no-op event runs none). */
  passes: number;
  lastRefresh: { at: string; error: string | null } | null;
  /** GitHub GraphQL budget as this queue's calls saw it, with points per kind of operation. */
  budget: Budget | null;
  /** Timed work still to do, earliest first, and when the alarm will next fire (null: idle). */
  agenda: AgendaEntry[];
  alarm: number | null;
}

export class RepoQueue extends DurableObject<AppEnv> {
  readonly #queue: MicroQueue;
  readonly #runs: Runs;
  readonly #outbox: Outbox;
  readonly #meta: Meta;
  readonly #qa: QaSessions;
  readonly #agenda: Agenda;
  readonly #mirror: BoardMirror;
  readonly #depStates: DependencyStates;
  #loop: RepoLoop | undefined;
  /** Serializes board work: a pass or a finish awaits GitHub, and must not interleave. */
  #chain: Promise<unknown> = Promise.resolve();
  /** A pass is waiting in the chain: further requests join it (a burst costs one pass). */
  #passQueued = false;
  /** Deliveries being applied now (a redelivery racing the first copy is dropped). */
  readonly #applying = new Set<string>();

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    this.#queue = new MicroQueue(sql);
    this.#runs = new Runs(sql);
    this.#outbox = new Outbox(sql);
    this.#meta = new Meta(sql);
    this.#qa = new QaSessions(sql);
    this.#agenda = new Agenda(sql);
    this.#mirror = new BoardMirror(sql);
    this.#depStates = new DependencyStates(sql);
    void ctx.blockConcurrencyWhile(async () => migrate(ctx.storage, REPO_QUEUE_MIGRATIONS));
  }

  /** The agent socket; the Worker route has checked the repo's token before forwarding. */
  override async fetch(request: Request): Promise<Response> {
    const repo = request.headers.get("x-worker-factory-repo");
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || !repo) {
      return Response.json({ error: "expected a WebSocket upgrade" }, { status: 426 });
    }
    this.#meta.setOnce("repo", repo);
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [AGENT_TAG]);
    const attachment: Attachment = { repo, agentId: null, capacity: 0, connectedAt: Date.now() };
    server.serializeAttachment(attachment);
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Applies one routed event to the mirror, once per delivery id, and gates at once if it
   * changed what the gate sees. Returns what the supervisor fans out.
   */
  async ingest(input: IngestInput): Promise<RepoOutcome> {
    const sql = this.ctx.storage.sql;
    this.#meta.setOnce("repo", input.repo);
    if (input.selfLogin && this.#meta.get("self_login") !== input.selfLogin)
      this.#meta.set("self_login", input.selfLogin);
    const seen = sql.exec("SELECT 1 FROM applied_events WHERE delivery_id = ?", input.deliveryId).toArray();
    if (seen.length > 0 || this.#applying.has(input.deliveryId)) {
      return { applied: false, completions: [], index: null };
    }
    this.#applying.add(input.deliveryId);
    try {
      return await this.#apply(input);
    } finally {
      this.#applying.delete(input.deliveryId);
    }
  }

  async #apply(input: IngestInput): Promise<RepoOutcome> {
    const sql = this.ctx.storage.sql;
    const loop = this.#repoLoop();
    const fill = loop.filled() ? null : await this.#serial(() => loop.fill());
    const delta = loop.applyDelta(input.deliveryId, input.event, input.item ?? null);
    const read = delta.read.length > 0 ? await this.#serial(() => loop.readItems(delta.read)) : null;
    sql.exec(
      "INSERT INTO applied_events (delivery_id, applied_at) VALUES (?, ?)",
      input.deliveryId,
      Date.now(),
    );
    if (delta.pass || fill?.pass === true || read !== null) this.#requestPass();
    return {
      applied: true,
      completions: [...(fill?.completions ?? []), ...delta.completions, ...(read?.completions ?? [])],
      // A first full read indexes everything; otherwise the item read, or the delta.
      index: fill?.index ?? read?.index ?? delta.index,
      echo: delta.echo && fill === null && read === null, // live dashboard (issue 9)
    };
  }

  /** Issues elsewhere that this repo's items wait on changed (the supervisor's fan-out). */
  async dependencyUpdate(repo: string, states: IssueState[]): Promise<void> {
    this.#meta.setOnce("repo", repo);
    if (this.#repoLoop().dependencyUpdate(states)) this.#requestPass();
  }

  /**
   * The backstop's full read of this repo's items, when it is due (first start, the long
   * interval) or asked for with `full`; the light scan comes from the supervisor (`applyScan`).
   */
  async reconcile(repo: string, request: { full?: boolean } = {}): Promise<RepoOutcome> {
    this.#meta.setOnce("repo", repo);
    return this.#reconciled(() => this.#repoLoop().reconcile(request));
  }

  /** This repo's share of the supervisor's light scan of the items not done. */
  async applyScan(repo: string, stamps: ItemStamp[], found: BoardItem[]): Promise<RepoOutcome> {
    this.#meta.setOnce("repo", repo);
    return this.#reconciled(() => this.#repoLoop().applyScan(stamps, found));
  }

  async #reconciled(work: () => Promise<ReconcileResult>): Promise<RepoOutcome> {
    const result = await this.#serial(() => this.#guarded(work));
    if (result === null) return { applied: false, completions: [], index: null };
    if (result.changed) await this.#serial(() => this.#pass());
    await this.#armAlarm();
    return { applied: result.kind !== "none", completions: result.completions, index: result.index };
  }

  /** The repo's whole index for the supervisor, read from the mirror (filled first if empty). */
  async reportIndex(repo: string): Promise<RepoOutcome & { index: IndexDelta }> {
    this.#meta.setOnce("repo", repo);
    const loop = this.#repoLoop();
    const fill = loop.filled() ? null : await this.#serial(() => loop.fill());
    if (fill?.pass === true) this.#requestPass();
    return {
      applied: fill !== null,
      completions: fill?.completions ?? [],
      index: indexOf(this.#mirror.items(), true),
    };
  }

  /**
   * Sends a steering command to a live run, once per (source event, run): the id is derived
   * from both, so a repeated request is a no-op.
   */
  async steer(input: SteerInput): Promise<SteerResult> {
    return this.#repoLoop().steer(input);
  }

  /** The operator's verdict on an item waiting for QA in this repo. */
  async qaVerdict(number: number, verdict: "pass" | "fail", note: string | null): Promise<QaVerdictResult> {
    const result = await this.#serial(() => this.#repoLoop().decideQa(number, verdict, note));
    if (result.ok) this.#requestPass();
    return result;
  }

  /** Pauses or resumes dispatch for this repo; runs already going keep going. */
  async setPaused(repo: string, paused: boolean): Promise<void> {
    this.#meta.setOnce("repo", repo);
    this.#meta.set("paused", paused ? "1" : "0");
    await this.#serial(() => this.#pass());
  }

  async state(): Promise<RepoQueueState> {
    const sockets = this.ctx.getWebSockets(AGENT_TAG);
    const config = loadWorkspaceConfig(this.env);
    const repo = this.#meta.get("repo");
    const loop = repo !== null && findRepo(config, repo) ? this.#repoLoop() : undefined;
    return {
      repo,
      paused: this.#meta.get("paused") === "1",
      // Titles from the mirror: an issue renamed since the item's last pass shows its new title.
      items: this.#queue
        .list()
        .map((entry) => ({ ...entry, title: this.#mirror.byNumber(entry.number)?.title ?? entry.title })),
      locks: lockMap(this.#mirror, this.#runs, config, Date.now()),
      qa: this.#qa.waiting(),
      runs: this.#runs.recent(50),
      agents: connectedAgents(sockets).map((agent) => ({
        agentId: agent.agentId,
        capacity: agent.capacity,
        liveRuns: this.#runs.liveCountFor(agent.agentId),
      })),
      staleClaims: loop?.staleClaims() ?? [],
      outbox: this.#outbox.size(),
      mirror: {
        items: this.#mirror.count(),
        fullReadAt: this.#meta.getNumber("full_read_at"),
        scannedAt: this.#meta.getNumber("scan_at"),
      },
      passes: this.#meta.getNumber("passes") ?? 0,
      lastRefresh: this.#lastError(),
      budget: loop?.budget() ?? null,
      agenda: this.#agenda.list(),
      alarm: await this.ctx.storage.getAlarm(),
      ...this.#liveFields(), // live dashboard (issue 9)
    };
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const parsed = parseFrame(AgentMessage, data);
    if (!parsed.ok) {
      ws.send(JSON.stringify({ type: "error", code: "invalid_message", message: parsed.error }));
      return;
    }
    const frame = parsed.value;
    const attachment = attachmentOf(ws);
    if (!attachment) return;
    if (frame.type === "hello") return this.#hello(ws, attachment, frame);
    if (!attachment.agentId) {
      ws.send(JSON.stringify({ type: "error", code: "not_hello", message: "send hello first" }));
      ws.close(PROTOCOL.close.protocolError, "hello expected");
      return;
    }
    if (frame.type === "ack") {
      this.#outbox.ack(frame.id);
      return;
    }
    const reply = await this.#serial(() =>
      applyRunFrame(frame, {
        runs: this.#runs,
        outbox: this.#outbox,
        loop: this.#repoLoop(),
        leaseMs: loadWorkspaceConfig(this.env).lease.durationSeconds * 1000,
        now: Date.now,
        transaction: (work) => this.ctx.storage.transactionSync(work),
      }),
    );
    ws.send(reply);
    this.#liveChanged(); // live dashboard (issue 9): a run frame was applied
    if (frame.type === "run_finished") this.#requestPass();
    await this.#armAlarm();
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Runs of a vanished agent keep their lease: the agent may come back before it expires.
    ws.close(code === 1005 ? 1000 : code, "closing");
    this.#liveChanged(); // live dashboard (issue 9): the agent is gone
  }

  override async webSocketError(): Promise<void> {}

  /** Runs what the agenda says is due, and nothing else. */
  override async alarm(): Promise<void> {
    const due = new Set(this.#agenda.take(Date.now()).map((entry) => entry.kind));
    const repo = this.#meta.get("repo");
    if (repo === null || !findRepo(loadWorkspaceConfig(this.env), repo)) return;
    await this.#serial(async () => {
      const loop = this.#repoLoop();
      if (due.has("lease")) await loop.expireLeases();
      if (due.has("board-lease")) await loop.renewBoardLeases();
      if (due.has("prune")) this.#prune();
    });
    if (due.has("lease") || due.has("retry") || due.has("pass")) await this.#serial(() => this.#pass());
    await this.#armAlarm();
  }

  async #hello(ws: WebSocket, attachment: Attachment, frame: Hello): Promise<void> {
    const config = loadWorkspaceConfig(this.env);
    const greeted = greetAgent(ws, attachment, frame, {
      sockets: this.ctx.getWebSockets(AGENT_TAG),
      runs: this.#runs,
      outbox: this.#outbox,
      lease: config.lease,
    });
    if (greeted) this.#requestPass();
  }

  /**
   * Gates at once, without waiting for the caller: a burst of requests while a pass runs
   * costs one more pass. The agenda's backstop re-runs it if the object dies meanwhile.
   */
  #requestPass(): void {
    this.#agenda.setEarliest("pass", "pass", Date.now() + PASS_BACKSTOP_MS);
    if (this.#passQueued) return;
    this.#passQueued = true;
    this.ctx.waitUntil(
      this.#serial(async () => {
        this.#passQueued = false;
        await this.#pass();
      }).then(() => this.#armAlarm()),
    );
  }

  async #pass(): Promise<void> {
    const done = await this.#guarded(() => this.#repoLoop().pass());
    if (done !== null) this.#agenda.cancel("pass");
    this.#meta.set("passes", String((this.#meta.getNumber("passes") ?? 0) + 1));
    this.#liveChanged(); // live dashboard (issue 9): a pass ended
  }

  /** Runs board work; a failure is recorded for the operator and the work retried on the agenda. */
  async #guarded<T>(work: () => Promise<T>): Promise<T | null> {
    try {
      const result = await work();
      this.#meta.set("last_error", "");
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#meta.set("last_error", JSON.stringify({ at: new Date().toISOString(), error: message }));
      this.#agenda.setEarliest("pass", "pass", Date.now() + FAILED_WORK_RETRY_MS);
      console.error(JSON.stringify({ event: "board_work_failed", repo: this.#meta.get("repo"), message }));
      return null;
    }
  }

  #lastError(): { at: string; error: string | null } | null {
    const text = this.#meta.get("last_error");
    if (!text) return null;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null && "at" in parsed && "error" in parsed)
        return { at: String(parsed.at), error: String(parsed.error) };
    } catch {
      // an older value: ignore it
    }
    return null;
  }

  #prune(): void {
    const now = Date.now();
    // Applied frames and events, finished runs: by age and count (worker/storage/limits.ts).
    const parts = { sql: this.ctx.storage.sql, runs: this.#runs, outbox: this.#outbox };
    pruneRepoJournals(parts, now, (work) => this.ctx.storage.transactionSync(work));
    this.#mirror.pruneOwnWrites(now - OWN_WRITE_MEMORY_MS);
  }

  /**
   * Keeps the agenda's timers from the runs and the queue (lease expiry, board lease renewal,
   * retry backoff, pruning), then arms the one alarm at the earliest entry, or none.
   */
  async #armAlarm(): Promise<void> {
    const now = Date.now();
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
    await armAlarm(this.ctx.storage, this.#agenda, now);
  }

  #repoLoop(): RepoLoop {
    if (this.#loop) return this.#loop;
    const config = loadWorkspaceConfig(this.env);
    const name = this.#meta.get("repo");
    const repo: RepoConfig | undefined = name ? findRepo(config, name) : undefined;
    if (!repo) throw new Error(`RepoQueue ${name ?? "(unnamed)"} is not a repo of the workspace`);
    const supervisor = () => this.env.WORKSPACE_SUPERVISOR.getByName(config.workspace);
    this.#loop = new RepoLoop({
      config,
      repo,
      queue: this.#queue,
      runs: this.#runs,
      outbox: this.#outbox,
      mirror: this.#mirror,
      depStates: this.#depStates,
      scopes: new RunScopes(this.ctx.storage.sql),
      meta: this.#meta,
      board: boardFor(this.env, config, this.#meta),
      transaction: (work) => this.ctx.storage.transactionSync(work),
      agents: () => connectedAgents(this.ctx.getWebSockets(AGENT_TAG)),
      send: (agentId, frame) => {
        for (const agent of connectedAgents(this.ctx.getWebSockets(AGENT_TAG))) {
          if (agent.agentId === agentId) agent.socket.send(frame);
        }
      },
      now: Date.now,
      log: (event, fields) => console.log(JSON.stringify({ event, repo: repo.name, ...fields })),
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

  // ─── Operator actions (issue 9) ─────────────────────────────────────────────────────────
  // RPC for `wf` and /api/*, by item number. Each delegates to worker/queue/operator-actions.ts;
  // board writes go through #serial like every pass, and a change asks for a gate pass.

  /** Why an item is or is not running, with the gate's inputs, from the mirror. */
  async explainItem(repo: string, number: number): Promise<Explanation | null> {
    this.#meta.setOnce("repo", repo);
    return operator.explain(this.#operatorDeps(), number);
  }

  /** Steers the item's live run; the frame id comes from source event, run and command. */
  async steerItem(
    repo: string,
    number: number,
    input: Omit<SteerInput, "runId">,
  ): Promise<SteerResult & { runId?: string }> {
    this.#meta.setOnce("repo", repo);
    return operator.steerItem(this.#operatorDeps(), number, input);
  }

  /** Retry now (a backoff cut short) or unpark (attempts reset, Status back to Ready). */
  async retryItem(repo: string, number: number): Promise<operator.ActionResult> {
    this.#meta.setOnce("repo", repo);
    const result = await this.#serial(() => operator.retry(this.#operatorDeps(), number));
    if (result.ok && result.changed) this.#requestPass();
    return result;
  }

  /** Clears a person's claim whose lease has passed, after reading the item again. */
  async releaseStaleClaim(repo: string, number: number): Promise<operator.ActionResult> {
    this.#meta.setOnce("repo", repo);
    const result = await this.#serial(() => operator.releaseStaleClaim(this.#operatorDeps(), number));
    if (result.ok && result.changed) this.#requestPass();
    return result;
  }

  /** Pauses or resumes dispatch, saying whether anything changed (a repeat changes nothing). */
  async setPausedOnce(repo: string, paused: boolean): Promise<{ changed: boolean }> {
    this.#meta.setOnce("repo", repo);
    if ((this.#meta.get("paused") === "1") === paused) return { changed: false };
    await this.setPaused(repo, paused);
    return { changed: true };
  }

  #operatorDeps(): operator.OperatorDeps {
    const config = loadWorkspaceConfig(this.env);
    const loop = this.#repoLoop();
    const repo = findRepo(config, this.#meta.get("repo") ?? "");
    if (!repo)
      throw new Error(`RepoQueue ${this.#meta.get("repo") ?? "(unnamed)"} is not a repo of the workspace`);
    return {
      config,
      repo,
      queue: this.#queue,
      runs: this.#runs,
      mirror: this.#mirror,
      dependencyStates: () => this.#depStates.all(),
      board: boardFor(this.env, config, this.#meta),
      steer: (input) => loop.steer(input),
      paused: () => this.#meta.get("paused") === "1",
      agents: () => connectedAgents(this.ctx.getWebSockets(AGENT_TAG)).length,
      transaction: (work) => this.ctx.storage.transactionSync(work),
      now: Date.now,
    };
  }
  // ─── end of operator actions ────────────────────────────────────────────────────────────

  // ─── Live dashboard (issue 9) ───────────────────────────────────────────────────────────
  // Tells the supervisor (coalesced, worker/queue/live-nudge.ts) that what the dashboard shows
  // changed, so it nudges the connected pages.
  #nudge: LiveNudge | undefined;

  #liveChanged(): void {
    const repo = this.#meta.get("repo");
    if (repo === null) return;
    this.#nudge ??= new LiveNudge({
      send: () =>
        this.env.WORKSPACE_SUPERVISOR.getByName(loadWorkspaceConfig(this.env).workspace).repoChanged(repo),
      waitUntil: (work) => this.ctx.waitUntil(work),
      log: (event, fields) => console.error(JSON.stringify({ event, repo, ...fields })),
    });
    this.#nudge.request();
  }

  #liveFields(): LiveRepoFields {
    return liveRepoFields(this.#mirror);
  }
  // ─── end of live dashboard ──────────────────────────────────────────────────────────────
}
