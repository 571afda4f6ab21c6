/**
 * RepoQueue: one Durable Object per configured repo (`idFromName("owner/name")`). It holds the
 * hibernatable WebSockets of the repo's local agents, its storage and its one alarm, and hands
 * everything else to its core (worker/queue/repo-core.ts): the board mirror, micro queue, gate,
 * runs, fences and leases, the outbox and the agenda. This class is the Workers glue only.
 */
import { DurableObject } from "cloudflare:workers";
import type { AppEnv } from "../env.ts";
import { loadWorkspaceConfig } from "../config/load-config.ts";
import type { BoardItem, IssueState } from "../board/board-item.ts";
import type { ItemStamp } from "../board/board-client.ts";
import { AgentMessage, parseFrame, PROTOCOL } from "../protocol/messages.ts";
import { boardFor } from "./create-board.ts";
import { AGENT_TAG, attachmentOf, connectedAgents, type Attachment } from "../queue/agents.ts";
import { greetAgent } from "../queue/agent-hello.ts";
import type { IndexDelta } from "../queue/apply-event.ts";
import * as operator from "../queue/operator-actions.ts";
import * as claims from "../queue/person-claims.ts";
import type { Explanation } from "../queue/explain-item.ts";
import type { QaVerdictResult } from "../queue/repo-qa.ts";
import {
  RepoCore,
  type IngestInput,
  type RepoOutcome,
  type RepoQueueState,
  type SupervisorPort,
} from "../queue/repo-core.ts";
import type { SteerInput, SteerResult } from "../queue/steering.ts";

export type { IngestInput, RepoOutcome, RepoQueueState };

export class RepoQueue extends DurableObject<AppEnv> {
  readonly #core: RepoCore;

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    this.#core = new RepoCore({
      storage: ctx.storage,
      agents: () => connectedAgents(ctx.getWebSockets(AGENT_TAG)),
      send: (agentId, frame) => {
        for (const agent of connectedAgents(ctx.getWebSockets(AGENT_TAG))) {
          if (agent.agentId === agentId) agent.socket.send(frame);
        }
      },
      waitUntil: (work) => ctx.waitUntil(work),
      config: () => loadWorkspaceConfig(env),
      board: (config, meta) => boardFor(env, config, meta),
      supervisor: (config): SupervisorPort => env.WORKSPACE_SUPERVISOR.getByName(config.workspace),
      now: Date.now,
      log: (line) => console.log(line),
    });
    void ctx.blockConcurrencyWhile(async () => this.#core.migrate());
  }

  /** The agent socket; the Worker route has checked the repo's token before forwarding. */
  override async fetch(request: Request): Promise<Response> {
    const repo = request.headers.get("x-worker-factory-repo");
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || !repo) {
      return Response.json({ error: "expected a WebSocket upgrade" }, { status: 426 });
    }
    this.#core.name(repo);
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [AGENT_TAG]);
    const attachment: Attachment = { repo, agentId: null, capacity: 0, connectedAt: Date.now() };
    server.serializeAttachment(attachment);
    return new Response(null, { status: 101, webSocket: client });
  }

  ingest(input: IngestInput): Promise<RepoOutcome> {
    return this.#core.ingest(input);
  }

  dependencyUpdate(repo: string, states: IssueState[]): Promise<void> {
    return this.#core.dependencyUpdate(repo, states);
  }

  reconcile(repo: string, request: { full?: boolean } = {}): Promise<RepoOutcome> {
    return this.#core.reconcile(repo, request);
  }

  applyScan(repo: string, stamps: ItemStamp[], found: BoardItem[]): Promise<RepoOutcome> {
    return this.#core.applyScan(repo, stamps, found);
  }

  reportIndex(repo: string): Promise<RepoOutcome & { index: IndexDelta }> {
    return this.#core.reportIndex(repo);
  }

  async steer(input: SteerInput): Promise<SteerResult> {
    return this.#core.steer(input);
  }

  qaVerdict(number: number, verdict: "pass" | "fail", note: string | null): Promise<QaVerdictResult> {
    return this.#core.qaVerdict(number, verdict, note);
  }

  async setPaused(repo: string, paused: boolean): Promise<void> {
    await this.#core.setPaused(repo, paused);
  }

  state(): Promise<RepoQueueState> {
    return this.#core.state();
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
    if (frame.type === "hello") {
      const greeted = greetAgent(ws, attachment, frame, {
        sockets: this.ctx.getWebSockets(AGENT_TAG),
        stopRuns: (runs) => this.#core.stopRuns(runs),
        pending: (agentId) => this.#core.pending(agentId),
        lease: loadWorkspaceConfig(this.env).lease,
      });
      if (greeted) this.#core.agentConnected();
      return;
    }
    if (!attachment.agentId) {
      ws.send(JSON.stringify({ type: "error", code: "not_hello", message: "send hello first" }));
      ws.close(PROTOCOL.close.protocolError, "hello expected");
      return;
    }
    if (frame.type === "ack") return this.#core.acknowledge(frame.id);
    ws.send(await this.#core.runFrame(frame));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 ? 1000 : code, "closing");
    this.#core.agentGone();
  }

  override async webSocketError(): Promise<void> {}

  override async alarm(): Promise<void> {
    await this.#core.alarm();
  }

  // Operator actions for `wf` and /api/*, by item number (worker/queue/operator-actions.ts);
  // board writes are serialized like every pass, and a change asks for a gate pass.

  /** Why an item is or is not running, with the gate's inputs, from the mirror. */
  async explainItem(repo: string, number: number): Promise<Explanation | null> {
    this.#core.name(repo);
    return operator.explain(this.#core.operatorDeps(), number);
  }

  /** Steers the item's live run; the frame id comes from source event, run and command. */
  async steerItem(
    repo: string,
    number: number,
    input: Omit<SteerInput, "runId">,
  ): Promise<SteerResult & { runId?: string }> {
    this.#core.name(repo);
    return operator.steerItem(this.#core.operatorDeps(), number, input);
  }

  /** Retry now (a backoff cut short) or unpark (attempts reset, Status back to Ready). */
  retryItem(repo: string, number: number): Promise<operator.ActionResult> {
    return this.#operatorAction(repo, (deps) => operator.retry(deps, number));
  }

  /** Clears a person's claim whose lease has passed, after reading the item again. */
  releaseStaleClaim(repo: string, number: number): Promise<operator.ActionResult> {
    return this.#operatorAction(repo, (deps) => operator.releaseStaleClaim(deps, number));
  }

  /** A person's claim from the terminal, through the same gate as a dispatch (person-claims.ts). */
  claimItem(
    repo: string,
    number: number,
    owner: string,
    leaseSeconds: number,
  ): Promise<claims.PersonClaimResult> {
    return this.#operatorAction(repo, (deps) => claims.claimForPerson(deps, number, owner, leaseSeconds));
  }

  /** Moves the lease of the person's own claim on. */
  renewClaim(
    repo: string,
    number: number,
    owner: string,
    leaseSeconds: number,
  ): Promise<claims.PersonClaimResult> {
    return this.#operatorAction(repo, (deps) => claims.renewPersonClaim(deps, number, owner, leaseSeconds));
  }

  /** Clears the person's own claim (Status to `status`, else back to Ready if it held the lock). */
  unclaimItem(
    repo: string,
    number: number,
    owner: string,
    status: string | null,
  ): Promise<claims.PersonClaimResult> {
    return this.#operatorAction(repo, (deps) => claims.unclaimPerson(deps, number, owner, status));
  }

  /** Pauses or resumes dispatch, saying whether anything changed (a repeat changes nothing). */
  setPausedOnce(repo: string, paused: boolean): Promise<{ changed: boolean }> {
    return this.#core.setPaused(repo, paused);
  }

  async #operatorAction<R extends { ok: boolean; changed?: boolean }>(
    repo: string,
    action: (deps: operator.OperatorDeps) => Promise<R>,
  ): Promise<R> {
    this.#core.name(repo);
    const result = await this.#core.serial(() => action(this.#core.operatorDeps()));
    if (result.ok && result.changed === true) this.#core.requestPass();
    return result;
  }
}
