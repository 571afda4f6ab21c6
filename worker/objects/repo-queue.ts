/**
 * RepoQueue: one Durable Object per configured repo (`idFromName("owner/name")`). Owns the
 * repo's micro queue, gate verdicts, runs with their fences and leases, the outbox, and the
 * hibernatable WebSockets of the repo's local agents. Thin: the rules live in worker/queue.
 */
import { DurableObject } from "cloudflare:workers";
import type { AppEnv } from "../env.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import { loadWorkspaceConfig } from "../config/load-config.ts";
import { findRepo, type RepoConfig } from "../config/workspace-config.ts";
import { AgentMessage, parseFrame, PROTOCOL } from "../protocol/messages.ts";
import { createBoard } from "./create-board.ts";
import { AGENT_TAG, attachmentOf, connectedAgents, type Attachment } from "../queue/agents.ts";
import { applyRunFrame } from "../queue/agent-frames.ts";
import { greetAgent, type Hello } from "../queue/agent-hello.ts";
import { MICRO_QUEUE_SCHEMA, MicroQueue, type QueueItem } from "../queue/micro-queue.ts";
import { Meta, META_SCHEMA } from "../queue/meta.ts";
import { APPLIED_EVENTS_INDEX } from "../queue/applied-events.ts";
import { APPLIED_FRAMES_INDEX, Outbox, OUTBOX_SCHEMA } from "../queue/outbox.ts";
import { QaSessions, QA_SESSIONS_SCHEMA, type QaSession } from "../queue/qa-sessions.ts";
import type { QaVerdictResult } from "../queue/repo-qa.ts";
import { RepoLoop } from "../queue/repo-loop.ts";
import { RUN_SECRET_SCHEMA, Runs, RUNS_SCHEMA, type Run } from "../queue/runs.ts";
import type { SteerInput, SteerResult } from "../queue/steering.ts";
import type { StaleClaim } from "../board/gate.ts";
import { Agenda, AGENDA_SCHEMA, armAlarm, type AgendaEntry } from "./agenda.ts";
import { migrate } from "./migrate.ts";

const REPO_QUEUE_MIGRATIONS = [
  `${MICRO_QUEUE_SCHEMA}
   CREATE TABLE applied_events (delivery_id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL);
   ${META_SCHEMA}`,
  RUNS_SCHEMA + OUTBOX_SCHEMA,
  QA_SESSIONS_SCHEMA,
  AGENDA_SCHEMA,
  RUN_SECRET_SCHEMA + APPLIED_FRAMES_INDEX + APPLIED_EVENTS_INDEX,
];

/** Board refreshes are coalesced: a burst of events costs one read of the board. */
const REFRESH_DEBOUNCE_MS = 500;
const REFRESH_RETRY_MS = 30_000;

export interface RepoQueueState {
  repo: string | null;
  paused: boolean;
  items: QueueItem[];
  /** The repo's QA micro queue: sessions waiting for the operator. */
  qa: QaSession[];
  runs: Run[];
  agents: { agentId: string; capacity: number; liveRuns: number }[];
  staleClaims: StaleClaim[];
  outbox: number;
  lastRefresh: { at: string; error: string | null } | null;
  /** GitHub GraphQL budget: points left, cost of the last call, total spent. */
  budget: ReturnType<RepoLoop["budget"]> | null;
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
  #loop: RepoLoop | undefined;
  /** Serializes board work: a refresh or finish awaits GitHub, and must not interleave. */
  #chain: Promise<unknown> = Promise.resolve();
  #lastRefresh: { at: string; error: string | null } | null = null;

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    this.#queue = new MicroQueue(ctx.storage.sql);
    this.#runs = new Runs(ctx.storage.sql);
    this.#outbox = new Outbox(ctx.storage.sql);
    this.#meta = new Meta(ctx.storage.sql);
    this.#qa = new QaSessions(ctx.storage.sql);
    this.#agenda = new Agenda(ctx.storage.sql);
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

  /** Applies one routed event once per delivery id, then re-reads the board soon. */
  async ingest(repo: string, deliveryId: string, event: WorkspaceEvent): Promise<{ applied: boolean }> {
    const sql = this.ctx.storage.sql;
    if (sql.exec("SELECT 1 FROM applied_events WHERE delivery_id = ?", deliveryId).toArray().length > 0) {
      return { applied: false };
    }
    this.ctx.storage.transactionSync(() => {
      this.#meta.setOnce("repo", repo);
      sql.exec("INSERT INTO applied_events (delivery_id, applied_at) VALUES (?, ?)", deliveryId, Date.now());
      if (event.kind === "issue" && this.#queue.get(event.number) === null && event.action !== "closed") {
        const config = loadWorkspaceConfig(this.env);
        this.#queue.upsert({
          number: event.number,
          itemId: null,
          title: event.title,
          priorityRank: config.priorities.length,
          snapshot: null,
          now: Date.now(),
        });
      }
    });
    this.#loop?.invalidate(event.kind === "project_item" ? event.itemId : event.contentId);
    if (event.kind === "issue_comment" && this.#runs.liveFor(event.number)) {
      this.#repoLoop().steerOnEvent(deliveryId, event);
    }
    await this.#scheduleRefresh(REFRESH_DEBOUNCE_MS);
    return { applied: true };
  }

  /** An issue elsewhere changed (e.g. a dependency in another repo closed): re-read soon. */
  async nudge(repo: string, contentId: string): Promise<void> {
    this.#meta.setOnce("repo", repo);
    this.#loop?.invalidate(contentId);
    await this.#scheduleRefresh(REFRESH_DEBOUNCE_MS);
  }

  /** Reads the whole board now (reconciliation, the operator's "reconcile now"). */
  async reconcile(repo: string): Promise<RepoQueueState> {
    this.#meta.setOnce("repo", repo);
    await this.#serial(() => this.#refresh({ full: true }));
    await this.#armAlarm();
    return this.state();
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
    if (result.ok) await this.#scheduleRefresh(REFRESH_DEBOUNCE_MS);
    return result;
  }

  /** Pauses or resumes dispatch for this repo; runs already going keep going. */
  async setPaused(repo: string, paused: boolean): Promise<void> {
    this.#meta.setOnce("repo", repo);
    this.#meta.set("paused", paused ? "1" : "0");
    await this.#scheduleRefresh(0);
  }

  async state(): Promise<RepoQueueState> {
    const sockets = this.ctx.getWebSockets(AGENT_TAG);
    return {
      repo: this.#meta.get("repo"),
      paused: this.#meta.get("paused") === "1",
      items: this.#queue.list(),
      qa: this.#qa.waiting(),
      runs: this.#runs.recent(50),
      agents: connectedAgents(sockets).map((agent) => ({
        agentId: agent.agentId,
        capacity: agent.capacity,
        liveRuns: this.#runs.liveCountFor(agent.agentId),
      })),
      staleClaims: this.#loop?.staleClaims ?? [],
      outbox: this.#outbox.size(),
      lastRefresh: this.#lastRefresh,
      budget: this.#loop?.budget() ?? null,
      agenda: this.#agenda.list(),
      alarm: await this.ctx.storage.getAlarm(),
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
    if (frame.type === "run_finished") await this.#scheduleRefresh(0);
    await this.#armAlarm();
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Runs of a vanished agent keep their lease: the agent may come back before it expires.
    ws.close(code === 1005 ? 1000 : code, "closing");
  }

  override async webSocketError(): Promise<void> {}

  /** Runs what the agenda says is due: lease expiry, retries whose backoff passed, a refresh. */
  override async alarm(): Promise<void> {
    await this.#serial(async () => {
      const due = new Set(this.#agenda.take(Date.now()).map((entry) => entry.kind));
      if (due.has("lease")) await this.#repoLoop().expireLeases();
      if (due.has("refresh") || due.has("retry")) await this.#refresh();
    });
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
    if (greeted) await this.#scheduleRefresh(0);
  }

  async #refresh(options: { full?: boolean } = {}): Promise<void> {
    this.#agenda.cancel("refresh");
    try {
      await this.#repoLoop().refresh(options);
      this.#lastRefresh = { at: new Date().toISOString(), error: null };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#lastRefresh = { at: new Date().toISOString(), error: message };
      this.#agenda.setEarliest("refresh", "refresh", Date.now() + REFRESH_RETRY_MS);
      console.error(JSON.stringify({ event: "refresh_failed", repo: this.#meta.get("repo"), message }));
    }
  }

  async #scheduleRefresh(delayMs: number): Promise<void> {
    this.#agenda.setEarliest("refresh", "refresh", Date.now() + delayMs);
    await this.#armAlarm();
  }

  /**
   * One alarm serves the agenda. Lease expiry and retry backoff are kept in it from the runs
   * and the queue, then the alarm is armed at the earliest entry (or removed when none).
   */
  async #armAlarm(): Promise<void> {
    const now = Date.now();
    const expiry = this.#runs.nextExpiry();
    if (expiry === null) this.#agenda.cancel("lease");
    else this.#agenda.set("lease", "lease", expiry);
    // Kept when already due: a retry whose time came must still be gated by the alarm.
    const retry = this.#queue.nextNotBefore(now);
    if (retry !== null) this.#agenda.setEarliest("retry", "retry", retry);
    await armAlarm(this.ctx.storage, this.#agenda, now);
  }

  #repoLoop(): RepoLoop {
    if (this.#loop) return this.#loop;
    const config = loadWorkspaceConfig(this.env);
    const name = this.#meta.get("repo");
    const repo: RepoConfig | undefined = name ? findRepo(config, name) : undefined;
    if (!repo) throw new Error(`RepoQueue ${name ?? "(unnamed)"} is not a repo of the workspace`);
    this.#loop = new RepoLoop({
      config,
      repo,
      queue: this.#queue,
      runs: this.#runs,
      outbox: this.#outbox,
      board: createBoard(this.env, config),
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
        await this.env.WORKSPACE_SUPERVISOR.getByName(config.workspace).syncQa(repo.name, entries);
      },
      paused: () => this.#meta.get("paused") === "1",
      reportStale: (claims) =>
        this.env.WORKSPACE_SUPERVISOR.getByName(config.workspace).reportStaleClaims(repo.name, claims),
    });
    return this.#loop;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(work, work);
    this.#chain = next.catch(() => undefined);
    return next;
  }
}
