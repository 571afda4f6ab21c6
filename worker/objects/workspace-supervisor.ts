/**
 * WorkspaceSupervisor: the one Durable Object per workspace that ingests each delivery once
 * (dedupe by X-GitHub-Delivery), records it durably, and routes each event to exactly one
 * RepoQueue, or records why not. A known project item is routed from its index, without a
 * read; each RepoQueue's outcome updates the indexes and fans completions out to the repos
 * that wait on them. Delivery journal, inbox, indexes and routing live in their modules.
 */
import { DurableObject } from "cloudflare:workers";
import type { AppEnv } from "../env.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import { loadWorkspaceConfig } from "../config/load-config.ts";
import { findRepo } from "../config/workspace-config.ts";
import { boardFor } from "./create-board.ts";
import { REDELIVERY_WINDOW_MS } from "../board/hook-deliveries.ts";
import type { BoardClient } from "../board/board-client.ts";
import type { BoardItem } from "../board/board-item.ts";
import {
  Deliveries,
  DELIVERIES_SCHEMA,
  DELIVERY_MARKS_SCHEMA,
  type DeliveryRow,
} from "../supervisor/deliveries.ts";
import { Inbox, INBOX_SCHEMA, type InboxEntry } from "../supervisor/inbox.ts";
import { Indexes, INDEXES_SCHEMA } from "../supervisor/indexes.ts";
import { absorbOutcome } from "../supervisor/fan-out.ts";
import { routeEvent } from "../supervisor/routing.ts";
import { scanDue, scanWorkspace } from "../supervisor/workspace-scan.ts";
import { QaSequence, QA_SEQUENCE_SCHEMA, type QaEntry } from "../supervisor/qa-sequence.ts";
import { MetaQueue, META_QUEUE_SCHEMA, type MetaEntry, type MetaKind } from "../supervisor/meta-queue.ts";
import { pruneSupervisorJournals } from "../supervisor/prune-journals.ts";
import * as directives from "../supervisor/directives.ts";
import type { DirectiveDeps } from "../supervisor/directives.ts";
import type { SteerInput, SteerResult } from "../queue/steering.ts";
import type { StaleClaim } from "../board/gate.ts";
import type { QaVerdictResult } from "../queue/repo-qa.ts";
import { Meta, META_SCHEMA } from "../queue/meta.ts";
import type { RepoOutcome } from "./repo-queue.ts";
import { Agenda, AGENDA_SCHEMA, armAlarm } from "./agenda.ts";
import { migrate } from "./migrate.ts";
import type { RepoQueueState } from "./repo-queue.ts";
// Operator directives and notifications (issue 9): the block at the end of the class.
import * as operatorDirectives from "../supervisor/operator-directives.ts";
import type { ActionResult } from "../queue/operator-actions.ts";
import { attentionCauses } from "../supervisor/attention.ts";
import {
  notify,
  NotificationLog,
  type NotificationCause,
  type NotifyOutcome,
  type SentNotification,
} from "../supervisor/notifications.ts";
// Live dashboard (issue 9): the block at the end of the class.
import { acceptPage, broadcastChanged, isPage } from "../supervisor/live-updates.ts";

const SUPERVISOR_MIGRATIONS = [
  DELIVERIES_SCHEMA + INBOX_SCHEMA,
  QA_SEQUENCE_SCHEMA,
  META_QUEUE_SCHEMA,
  INDEXES_SCHEMA + META_SCHEMA + AGENDA_SCHEMA,
  DELIVERY_MARKS_SCHEMA, // live dashboard (issue 9): sender and echo of each delivery
];

/** How soon the alarm retries routing that failed, and how often it prunes the journals. */
const RETRY_MS = 30_000;
const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000;
/** Redeliveries asked for per reconciliation, to stay well inside GitHub's limits. */
const MAX_REDELIVERIES = 50;
/** After a failed `viewer` read, how long before asking again (the echo check works without it). */
const IDENTITY_RETRY_MS = 60 * 60 * 1000;

export interface IngestInput {
  deliveryId: string;
  event: string;
  action: string | null;
  hookId: string | null;
  /** The normalized event, or null for a verified event the product does not use. */
  workspaceEvent: WorkspaceEvent | null;
}

export type IngestResult = { status: "accepted" | "ignored" | "duplicate" };

export interface SupervisorState {
  deliveries: DeliveryRow[];
  deliveryCount: number;
  awaitingResolution: InboxEntry[];
  pendingRoutes: number;
  /** Manual QA in the operator's order; the first is the one to do now. */
  qaSequence: QaEntry[];
  /** Supervisory events, newest first. */
  metaQueue: MetaEntry[];
  /** The supervisor's own GitHub spend (routing reads, identity, redeliveries). */
  budget: ReturnType<BoardClient["budget"]> | null;
  indexes: { items: number; waits: number };
}

export class WorkspaceSupervisor extends DurableObject<AppEnv> {
  readonly #deliveries: Deliveries;
  readonly #inbox: Inbox;
  readonly #qa: QaSequence;
  readonly #meta: MetaQueue;
  readonly #indexes: Indexes;
  readonly #values: Meta;
  readonly #agenda: Agenda;
  #board: BoardClient | undefined;
  #draining: Promise<void> | null = null;
  #drainAgain = false;

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    this.#deliveries = new Deliveries(sql);
    this.#inbox = new Inbox(sql);
    this.#qa = new QaSequence(sql);
    this.#meta = new MetaQueue(sql);
    this.#indexes = new Indexes(sql);
    this.#values = new Meta(sql);
    this.#agenda = new Agenda(sql);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, SUPERVISOR_MIGRATIONS);
      if (this.#agenda.get("prune") === null) this.#agenda.set("prune", "prune", Date.now() + PRUNE_EVERY_MS);
      await armAlarm(ctx.storage, this.#agenda, Date.now());
    });
  }

  /**
   * Records a verified delivery; once this resolves, the delivery is durable. Routing runs
   * after the answer (and again from the alarm if it fails), so GitHub gets its 2xx fast.
   */
  async ingest(input: IngestInput): Promise<IngestResult> {
    if (this.#deliveries.has(input.deliveryId)) return { status: "duplicate" };
    const now = Date.now();
    const used = input.workspaceEvent;
    this.ctx.storage.transactionSync(() => {
      this.#deliveries.record({
        id: input.deliveryId,
        event: input.event,
        action: input.action,
        hookId: input.hookId,
        receivedAt: now,
        outcome: used ? "queued" : "ignored",
        ...(used ? {} : { detail: `event ${input.event} is not used by Worker Factory` }),
        sender: used?.sender ?? null, // live dashboard (issue 9)
      });
      if (used) {
        this.#inbox.add(input.deliveryId, used, now);
        this.#agenda.setEarliest("drain", "drain", now + RETRY_MS);
      }
    });
    if (!used) return { status: "ignored" };
    await armAlarm(this.ctx.storage, this.#agenda, now);
    this.ctx.waitUntil(this.drain());
    return { status: "accepted" };
  }

  /**
   * Hands every pending inbox event to its RepoQueue, in order; failures stay for the alarm.
   * One drain at a time: a call while one runs makes it go round once more.
   */
  async drain(): Promise<void> {
    if (this.#draining !== null) {
      this.#drainAgain = true;
      return this.#draining;
    }
    this.#draining = (async () => {
      do {
        this.#drainAgain = false;
        await this.#drainOnce();
      } while (this.#drainAgain);
    })().finally(() => {
      this.#draining = null;
    });
    return this.#draining;
  }

  async #drainOnce(): Promise<void> {
    const config = loadWorkspaceConfig(this.env);
    if (this.#inbox.list("pending").length > 0) await this.#ensureIndexed();
    for (const entry of this.#inbox.list("pending")) {
      const route = routeEvent(config, entry.event);
      try {
        if (route.kind === "repo") {
          await this.#hand(route.repo, entry, null);
        } else if (route.kind === "unrouted") {
          // An issue of a repo outside the workspace may still be what items here wait on.
          if (entry.event.kind === "issue")
            await absorbOutcome(this.#fanOut(), null, issueOutcome(entry.event));
          this.#settle(entry.deliveryId, () =>
            this.#deliveries.setOutcome(entry.deliveryId, "unrouted", null, route.reason),
          );
        } else {
          const known = this.#indexes.repoOf(route.itemId);
          if (known !== null) await this.#hand(known, entry, null);
          else await this.#resolveItem(entry, route.itemId);
        }
      } catch (error) {
        this.#inbox.markFailed(entry.deliveryId, error instanceof Error ? error.message : String(error));
      }
    }
    if (this.#inbox.list("pending").length === 0) this.#agenda.cancel("drain");
    await armAlarm(this.ctx.storage, this.#agenda, Date.now());
    this.#liveChanged("deliveries"); // live dashboard (issue 9): deliveries were routed
  }

  /**
   * The backstop, from the Cron Trigger or the operator: resolves items that waited for the
   * board, asks GitHub to redeliver what failed to reach us (when the hook id is configured),
   * reads a repo in full when that is due (rarely), and runs the light scan of the items not
   * done when it is due (`force`: now; `full`: every repo in full too).
   */
  async reconcile(
    request: { force?: boolean; full?: boolean } = {},
  ): Promise<{ resolved: number; redelivered: number; repos: number; reconciled: number; scanned: boolean }> {
    const awaiting = this.#inbox.list("awaiting");
    for (const entry of awaiting) {
      if (entry.event.kind === "project_item") await this.#resolveItem(entry, entry.event.itemId);
    }
    const redelivered = await this.#redeliverFailed();
    const config = loadWorkspaceConfig(this.env);
    await this.#ensureIndexed();
    let reconciled = 0;
    for (const repo of config.repos) {
      const outcome = await this.env.REPO_QUEUE.getByName(repo.name).reconcile(repo.name, {
        full: request.full === true,
      });
      await absorbOutcome(this.#fanOut(), repo.name, outcome);
      if (outcome.index?.replace === true) this.#values.set(`indexed:${repo.name}`, String(Date.now()));
      if (outcome.applied) reconciled += 1;
    }
    const scanned = scanDue(this.#values, config, Date.now(), request.force === true);
    if (scanned) {
      const byRepo = await scanWorkspace(
        this.#boardClient(),
        this.#indexes,
        config,
        this.#values,
        Date.now(),
      );
      for (const [repo, scan] of byRepo) {
        const outcome = await this.env.REPO_QUEUE.getByName(repo).applyScan(repo, scan.stamps, scan.found);
        await absorbOutcome(this.#fanOut(), repo, outcome);
        if (outcome.applied) reconciled += 1;
      }
    }
    // operator hook (issue 9): parked items and a low budget, from each queue's state (no GitHub call)
    this.#notifyAttention(
      await Promise.all(config.repos.map((repo) => this.env.REPO_QUEUE.getByName(repo.name).state())),
    );
    return {
      resolved: awaiting.length - this.#inbox.list("awaiting").length,
      redelivered,
      repos: config.repos.length,
      reconciled,
      scanned,
    };
  }

  /**
   * The indexes need every repo's items: a repo that has never reported reads its board once
   * (its first start) and reports, before events are routed by the indexes. Repos that fail
   * are asked again on the next delivery.
   */
  async #ensureIndexed(): Promise<void> {
    const config = loadWorkspaceConfig(this.env);
    const missing = config.repos.filter((repo) => this.#values.get(`indexed:${repo.name}`) === null);
    await Promise.all(
      missing.map(async (repo) => {
        const outcome = await this.env.REPO_QUEUE.getByName(repo.name).reportIndex(repo.name);
        await absorbOutcome(this.#fanOut(), repo.name, outcome);
        this.#values.set(`indexed:${repo.name}`, String(Date.now()));
      }),
    );
  }

  /** Hands one event to its RepoQueue, then absorbs what the queue reports. */
  async #hand(repo: string, entry: InboxEntry, item: BoardItem | null): Promise<void> {
    const outcome: RepoOutcome = await this.env.REPO_QUEUE.getByName(repo).ingest({
      repo,
      deliveryId: entry.deliveryId,
      event: entry.event,
      item,
      selfLogin: await this.#selfLogin(),
    });
    await absorbOutcome(this.#fanOut(), repo, outcome);
    this.#settle(entry.deliveryId, () => {
      this.#deliveries.setOutcome(entry.deliveryId, "routed", repo, null);
      if (outcome.echo === true) this.#deliveries.markEcho(entry.deliveryId); // live dashboard (issue 9)
    });
  }

  /** GitHub never retries a failed delivery; ask for those of the last 3 days we never got. */
  async #redeliverFailed(): Promise<number> {
    const config = loadWorkspaceConfig(this.env);
    const hookId = config.reconcile.hookId;
    if (hookId === undefined) return 0;
    const webhooks = this.#boardClient().webhooks;
    const failed = await webhooks.undelivered(hookId, Date.now() - REDELIVERY_WINDOW_MS);
    let count = 0;
    for (const delivery of failed.slice(0, MAX_REDELIVERIES)) {
      if (this.#deliveries.has(delivery.guid)) continue;
      await webhooks.redeliver(hookId, delivery.id);
      const detail = `asked GitHub to redeliver ${delivery.event}.${delivery.action ?? ""} ${delivery.guid} (last status ${delivery.status_code})`;
      this.#meta.record("redelivery", null, null, detail, Date.now());
      count += 1;
    }
    return count;
  }

  /**
   * A project item the indexes do not know: read it once (it may be new, or of another
   * project), route it with the item attached so its RepoQueue need not read it again.
   * Drafts and repos outside the workspace are recorded as unrouted; a board failure leaves
   * it awaiting.
   */
  async #resolveItem(entry: InboxEntry, itemId: string): Promise<void> {
    if (entry.event.kind !== "project_item") return;
    const config = loadWorkspaceConfig(this.env);
    const board = this.#boardClient();
    let route: { repo: string; item: BoardItem | null } | { reason: string };
    try {
      const projectId = await board.projectId();
      if (entry.event.projectId !== projectId) {
        route = {
          reason: `project ${entry.event.projectId} is not the workspace's project ${config.project.org}#${config.project.number}`,
        };
      } else {
        const item = await board.getItem(itemId);
        const repo = item?.repo ? findRepo(config, item.repo) : undefined;
        route = repo
          ? { repo: repo.name, item }
          : {
              reason: item?.repo
                ? `repository ${item.repo} is not in the workspace`
                : `item ${itemId} has no repository (draft, redacted or deleted)`,
            };
      }
    } catch (error) {
      const reason = `waiting for the board to resolve the item: ${error instanceof Error ? error.message : String(error)}`;
      this.ctx.storage.transactionSync(() => {
        this.#inbox.markAwaiting(entry.deliveryId, reason);
        this.#deliveries.setOutcome(entry.deliveryId, "awaiting_resolution", null, reason);
      });
      return;
    }
    if ("reason" in route) {
      const { reason } = route;
      this.#settle(entry.deliveryId, () =>
        this.#deliveries.setOutcome(entry.deliveryId, "unrouted", null, reason),
      );
      return;
    }
    await this.#hand(route.repo, entry, route.item);
  }

  /** The login the board client writes as, read once (one point) and kept. */
  async #selfLogin(): Promise<string | null> {
    const known = this.#values.get("self_login");
    if (known) return known;
    const failedAt = this.#values.getNumber("self_login_failed_at");
    if (failedAt !== null && Date.now() - failedAt < IDENTITY_RETRY_MS) return null;
    try {
      const login = await this.#boardClient().viewerLogin();
      this.#values.set("self_login", login);
      return login;
    } catch (error) {
      this.#values.set("self_login_failed_at", String(Date.now()));
      console.error(JSON.stringify({ event: "viewer_read_failed", message: String(error) }));
      return null;
    }
  }

  #boardClient(): BoardClient {
    this.#board ??= boardFor(this.env, loadWorkspaceConfig(this.env), this.#values);
    return this.#board;
  }

  #fanOut(): Parameters<typeof absorbOutcome>[0] {
    return {
      indexes: this.#indexes,
      meta: this.#meta,
      dependencyUpdate: (repo, states) => this.env.REPO_QUEUE.getByName(repo).dependencyUpdate(repo, states),
      now: Date.now,
    };
  }

  /** A RepoQueue's supervisory event (a steering effect, a scope verdict) for the operator log. */
  async journal(kind: MetaKind, repo: string, number: number | null, detail: string): Promise<void> {
    this.#meta.record(kind, repo, number, detail, Date.now());
  }

  /** A RepoQueue's waiting QA sessions; the workspace sequence follows them. */
  async syncQa(repo: string, waiting: Omit<QaEntry, "repo">[]): Promise<void> {
    directives.syncQa(this.#directives(), repo, waiting); // operator hook (issue 9): QA waiting notices
  }

  /** The operator's QA verdict, handed to the item's RepoQueue; the item leaves the sequence. */
  async qaVerdict(input: Parameters<typeof directives.qaVerdict>[1]): Promise<QaVerdictResult> {
    return directives.qaVerdict(this.#directives(), input);
  }

  /** Moves an item in the QA sequence (0 = QA it next). */
  async moveQa(repo: string, number: number, index: number): Promise<boolean> {
    return directives.moveQa(this.#directives(), repo, number, index);
  }

  async steer(repo: string, input: SteerInput): Promise<SteerResult> {
    return directives.steer(this.#directives(), repo, input);
  }

  async setPaused(repo: string, paused: boolean): Promise<void> {
    await directives.setPaused(this.#directives(), repo, paused);
  }

  /** A RepoQueue's stale human claims: escalated to the operator once each. */
  async reportStaleClaims(repo: string, claims: StaleClaim[]): Promise<void> {
    directives.reportStaleClaims(this.#directives(), repo, claims);
  }

  #directives(): DirectiveDeps {
    return {
      meta: this.#meta,
      qa: this.#qa,
      repoQueue: (repo) => this.env.REPO_QUEUE.getByName(repo),
      now: Date.now,
      notify: (cause) => this.notify(cause), // operator hook (issue 9)
    };
  }

  async state(limit = 50): Promise<SupervisorState> {
    return {
      deliveries: this.#deliveries.recent(limit, this.#values.get("self_login")), // echoes marked (issue 9)
      deliveryCount: this.#deliveries.count(),
      awaitingResolution: this.#inbox.list("awaiting"),
      pendingRoutes: this.#inbox.list("pending").length,
      qaSequence: this.#qa.list(),
      metaQueue: this.#meta.recent(limit),
      budget: this.#board?.budget() ?? null,
      indexes: this.#indexes.counts(),
    };
  }

  /** Runs what the agenda says is due: retried routing, pruning of the journals. */
  override async alarm(): Promise<void> {
    const due = new Set(this.#agenda.take(Date.now()).map((entry) => entry.kind));
    if (due.has("prune")) {
      const journals = { deliveries: this.#deliveries, inbox: this.#inbox, meta: this.#meta };
      pruneSupervisorJournals(journals, Date.now(), (work) => this.ctx.storage.transactionSync(work));
      this.#agenda.set("prune", "prune", Date.now() + PRUNE_EVERY_MS);
    }
    if (due.has("drain")) {
      this.#agenda.set("drain", "drain", Date.now() + RETRY_MS);
      await this.drain();
    }
    await armAlarm(this.ctx.storage, this.#agenda, Date.now());
  }

  #settle(deliveryId: string, record: () => void): void {
    this.ctx.storage.transactionSync(() => {
      this.#inbox.remove(deliveryId);
      record();
    });
  }

  // ─── Operator directives and notifications (issue 9) ────────────────────────────────────
  // RPC for `wf` and /api/* by item, delegating to supervisor/operator-directives.ts, and the
  // one entry point of outgoing notifications (supervisor/notifications.ts).

  async steerItem(
    repo: string,
    number: number,
    input: operatorDirectives.ItemSteerInput,
  ): Promise<SteerResult & { runId?: string }> {
    return operatorDirectives.steerItem(this.#directives(), repo, number, input);
  }

  async retryItem(repo: string, number: number): Promise<ActionResult> {
    return operatorDirectives.retryItem(this.#directives(), repo, number);
  }

  async releaseClaim(repo: string, number: number): Promise<ActionResult> {
    return operatorDirectives.releaseClaim(this.#directives(), repo, number);
  }

  async pauseRepos(
    repos: string[],
    paused: boolean,
  ): Promise<{ repo: string; paused: boolean; changed: boolean }[]> {
    return operatorDirectives.pauseRepos(this.#directives(), repos, paused);
  }

  /**
   * Tells a person, once per cause, when one is needed. Returns at once: the POST runs in the
   * background and a failure is only logged, so no caller (and no dispatch) waits on it.
   */
  notify(cause: NotificationCause): NotifyOutcome {
    return notify(
      {
        config: loadWorkspaceConfig(this.env),
        log: new NotificationLog(this.ctx.storage.sql),
        fetch: (input, init) => fetch(input, init),
        waitUntil: (work) => this.ctx.waitUntil(work),
        now: Date.now,
        report: (event, fields) => console.error(JSON.stringify({ event, ...fields })),
      },
      cause,
    );
  }

  /** The causes notified lately, newest first, with how each send went. */
  async notifications(limit = 50): Promise<SentNotification[]> {
    return new NotificationLog(this.ctx.storage.sql).recent(limit);
  }

  #notifyAttention(states: readonly RepoQueueState[]): void {
    const named = states.flatMap((state) => (state.repo === null ? [] : [{ ...state, name: state.repo }]));
    for (const cause of attentionCauses(loadWorkspaceConfig(this.env), named, this.#board?.budget() ?? null))
      this.notify(cause);
  }
  // ─── end of operator directives and notifications ───────────────────────────────────────

  // ─── Live dashboard (issue 9) ───────────────────────────────────────────────────────────
  // Pages' hibernatable WebSockets (supervisor/live-updates.ts): the Worker's `GET /live`
  // checked the page's ticket before forwarding the upgrade here. RepoQueues and the operator
  // API say when what a page shows changed; every connected page gets a `changed` nudge.

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: "expected a WebSocket upgrade" }, { status: 426 });
    }
    return acceptPage(this.ctx, Date.now());
  }

  /** A RepoQueue's state changed (a pass ended, a run frame, an agent gone). */
  async repoChanged(repo: string): Promise<void> {
    this.#liveChanged(repo);
  }

  /** An operator action went through the API (steering, QA, pause, retry, release...). */
  async operatorChanged(): Promise<void> {
    this.#liveChanged("operator");
  }

  #liveChanged(scope: string): void {
    broadcastChanged(this.ctx, [scope], Date.now());
  }

  // Pages send only `ping`, answered by the runtime's auto-response; anything else is ignored.
  override async webSocketMessage(): Promise<void> {}

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    if (isPage(ws)) ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
  }

  override async webSocketError(): Promise<void> {}
  // ─── end of live dashboard ──────────────────────────────────────────────────────────────
}

/** The completion an issue event carries by itself (for items that wait on an issue elsewhere). */
function issueOutcome(
  event: Extract<WorkspaceEvent, { kind: "issue" }>,
): Pick<RepoOutcome, "completions" | "index"> {
  if (event.action !== "closed" && event.action !== "reopened") return { completions: [], index: null };
  const closed = event.action === "closed";
  return {
    completions: [
      {
        repo: event.repo,
        number: event.number,
        state: closed ? "CLOSED" : "OPEN",
        stateReason: closed && event.stateReason !== null ? event.stateReason.toUpperCase() : null,
      },
    ],
    index: null,
  };
}
