/**
 * WorkspaceSupervisor: the one Durable Object per workspace. It holds the dashboard pages'
 * hibernatable WebSockets, its storage and its one alarm, and hands everything else to its
 * core (worker/supervisor/supervisor-core.ts): each delivery recorded once and routed to
 * exactly one RepoQueue, the indexes and fan-out, reconciliation, the meta queue, the QA
 * sequence, the operator's directives and notifications. This class is the Workers glue only.
 */
import { DurableObject } from "cloudflare:workers";
import type { AppEnv } from "../env.ts";
import { loadWorkspaceConfig } from "../config/load-config.ts";
import type { StaleClaim } from "../board/gate.ts";
import { boardFor } from "./create-board.ts";
import type { ActionResult } from "../queue/operator-actions.ts";
import type { PersonClaimResult } from "../queue/person-claims.ts";
import type { QaVerdictResult } from "../queue/repo-qa.ts";
import type { SteerInput, SteerResult } from "../queue/steering.ts";
import type { MetaKind } from "../supervisor/meta-queue.ts";
import type { NotificationCause, NotifyOutcome, SentNotification } from "../supervisor/notifications.ts";
import * as operatorDirectives from "../supervisor/operator-directives.ts";
import type { QaEntry } from "../supervisor/qa-sequence.ts";
import { acceptPage, broadcastChanged, isPage } from "../supervisor/live-updates.ts";
import {
  SupervisorCore,
  type ReconcileSummary,
  type SupervisorState,
} from "../supervisor/supervisor-core.ts";
import type { IngestDelivery, IngestResult } from "../supervisor/supervisor-host.ts";

export type { IngestResult, SupervisorState };
export type IngestInput = IngestDelivery;

export class WorkspaceSupervisor extends DurableObject<AppEnv> {
  readonly #core: SupervisorCore;

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    this.#core = new SupervisorCore({
      storage: ctx.storage,
      repoQueue: (repo) => env.REPO_QUEUE.getByName(repo),
      config: () => loadWorkspaceConfig(env),
      board: (config, meta) => boardFor(env, config, meta),
      waitUntil: (work) => ctx.waitUntil(work),
      fetch: (input, init) => fetch(input, init),
      broadcast: (scopes) => broadcastChanged(ctx, scopes, Date.now()),
      now: Date.now,
      log: (line) => console.error(line),
    });
    void ctx.blockConcurrencyWhile(() => this.#core.start());
  }

  ingest(input: IngestDelivery): Promise<IngestResult> {
    return this.#core.ingest(input);
  }

  drain(): Promise<void> {
    return this.#core.drain();
  }

  reconcile(request: { force?: boolean; full?: boolean } = {}): Promise<ReconcileSummary> {
    return this.#core.reconcile(request);
  }

  /** A RepoQueue's supervisory event (a steering effect, a scope verdict) for the operator log. */
  async journal(kind: MetaKind, repo: string, number: number | null, detail: string): Promise<void> {
    this.#core.journal(kind, repo, number, detail);
  }

  /** A RepoQueue's waiting QA sessions; the workspace sequence follows them. */
  async syncQa(repo: string, waiting: Omit<QaEntry, "repo">[]): Promise<void> {
    this.#core.syncQa(repo, waiting);
  }

  /** The operator's QA verdict, handed to the item's RepoQueue; the item leaves the sequence. */
  qaVerdict(input: Parameters<SupervisorCore["qaVerdict"]>[0]): Promise<QaVerdictResult> {
    return this.#core.qaVerdict(input);
  }

  /** Moves an item in the QA sequence (0 = QA it next). */
  async moveQa(repo: string, number: number, index: number): Promise<boolean> {
    return this.#core.moveQa(repo, number, index);
  }

  steer(repo: string, input: SteerInput): Promise<SteerResult> {
    return this.#core.steer(repo, input);
  }

  setPaused(repo: string, paused: boolean): Promise<void> {
    return this.#core.setPaused(repo, paused);
  }

  /** A RepoQueue's stale human claims: escalated to the operator once each. */
  async reportStaleClaims(repo: string, claims: StaleClaim[]): Promise<void> {
    this.#core.reportStaleClaims(repo, claims);
  }

  async state(limit = 50): Promise<SupervisorState> {
    return this.#core.state(limit);
  }

  override async alarm(): Promise<void> {
    await this.#core.alarm();
  }

  // Operator directives by item for `wf` and /api/* (supervisor/operator-directives.ts), and
  // the one entry point of outgoing notifications (supervisor/notifications.ts).

  steerItem(
    repo: string,
    number: number,
    input: operatorDirectives.ItemSteerInput,
  ): Promise<SteerResult & { runId?: string }> {
    return operatorDirectives.steerItem(this.#core.directives(), repo, number, input);
  }

  retryItem(repo: string, number: number): Promise<ActionResult> {
    return operatorDirectives.retryItem(this.#core.directives(), repo, number);
  }

  releaseClaim(repo: string, number: number): Promise<ActionResult> {
    return operatorDirectives.releaseClaim(this.#core.directives(), repo, number);
  }

  /** A person's claim from the terminal (`wf claim`, `wf renew`, `wf unclaim`). */
  personClaim(
    repo: string,
    number: number,
    request: operatorDirectives.PersonClaimAction,
  ): Promise<PersonClaimResult> {
    return operatorDirectives.personClaim(this.#core.directives(), repo, number, request);
  }

  pauseRepos(
    repos: string[],
    paused: boolean,
  ): Promise<{ repo: string; paused: boolean; changed: boolean }[]> {
    return operatorDirectives.pauseRepos(this.#core.directives(), repos, paused);
  }

  /** Tells a person, once per cause; returns at once (the send runs in the background). */
  notify(cause: NotificationCause): NotifyOutcome {
    return this.#core.notify(cause);
  }

  /** The causes notified lately, newest first, with how each send went. */
  async notifications(limit = 50): Promise<SentNotification[]> {
    return this.#core.notifications.recent(limit);
  }

  // The dashboard's pages (supervisor/live-updates.ts): the Worker's `GET /live` checked the
  // page's ticket before forwarding the upgrade here. RepoQueues and the operator API say
  // when what a page shows changed; every connected page gets a `changed` nudge.

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: "expected a WebSocket upgrade" }, { status: 426 });
    }
    return acceptPage(this.ctx, Date.now());
  }

  /** A RepoQueue's state changed (a pass ended, a run frame, an agent gone). */
  async repoChanged(repo: string): Promise<void> {
    broadcastChanged(this.ctx, [repo], Date.now());
  }

  /** An operator action went through the API (steering, QA, pause, retry, release...). */
  async operatorChanged(): Promise<void> {
    broadcastChanged(this.ctx, ["operator"], Date.now());
  }

  // Pages send only `ping`, answered by the runtime's auto-response; anything else is ignored.
  override async webSocketMessage(): Promise<void> {}

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    if (isPage(ws)) ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
  }

  override async webSocketError(): Promise<void> {}
}
