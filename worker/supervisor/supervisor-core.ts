/**
 * The WorkspaceSupervisor's logic without the Durable Object: it records each delivery once,
 * routes it (route-deliveries.ts), reconciles the workspace within the budget, keeps the
 * workspace meta queue and the QA sequence, carries out the operator's directives and sends
 * notifications. The WorkspaceSupervisor class gives it storage and bindings through a
 * `SupervisorHost`; the fault simulation gives it the same over node:sqlite.
 */
import type { BoardClient } from "../board/board-client.ts";
import type { StaleClaim } from "../board/gate.ts";
import { Agenda, AGENDA_SCHEMA, armAlarm } from "../objects/agenda.ts";
import { migrate } from "../objects/migrate.ts";
import { Meta, META_SCHEMA } from "../queue/meta.ts";
import type { QaVerdictResult } from "../queue/repo-qa.ts";
import type { RepoQueueState } from "../queue/repo-state.ts";
import type { SteerInput, SteerResult } from "../queue/steering.ts";
import { attentionCauses } from "./attention.ts";
import { Deliveries, DELIVERIES_SCHEMA, DELIVERY_MARKS_SCHEMA } from "./deliveries.ts";
import * as directives from "./directives.ts";
import type { DirectiveDeps } from "./directives.ts";
import type { FanOutDeps } from "./fan-out.ts";
import { absorbOutcome } from "./fan-out.ts";
import { Inbox, INBOX_SCHEMA } from "./inbox.ts";
import { Indexes, INDEXES_SCHEMA } from "./indexes.ts";
import { MetaQueue, META_QUEUE_SCHEMA, type MetaKind } from "./meta-queue.ts";
import { notify, NotificationLog, type NotificationCause, type NotifyOutcome } from "./notifications.ts";
import { pruneSupervisorJournals } from "./prune-journals.ts";
import { QaSequence, QA_SEQUENCE_SCHEMA, type QaEntry } from "./qa-sequence.ts";
import { redeliverFailed } from "./redeliver.ts";
import { ensureIndexed, resolveItem, routePending, type RouteDeps } from "./route-deliveries.ts";
import type {
  IngestDelivery,
  IngestResult,
  ReconcileSummary,
  SupervisorHost,
  SupervisorState,
} from "./supervisor-host.ts";

export type { ReconcileSummary, SupervisorState };
import { scanDue, scanWorkspace } from "./workspace-scan.ts";

const SUPERVISOR_MIGRATIONS = [
  DELIVERIES_SCHEMA + INBOX_SCHEMA,
  QA_SEQUENCE_SCHEMA,
  META_QUEUE_SCHEMA,
  INDEXES_SCHEMA + META_SCHEMA + AGENDA_SCHEMA,
  DELIVERY_MARKS_SCHEMA,
] as const;

/** How soon the alarm retries routing that failed, and how often it prunes the journals. */
const RETRY_MS = 30_000;
const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000;

export class SupervisorCore {
  readonly #host: SupervisorHost;
  readonly deliveries: Deliveries;
  readonly inbox: Inbox;
  readonly qa: QaSequence;
  readonly meta: MetaQueue;
  readonly indexes: Indexes;
  readonly values: Meta;
  readonly agenda: Agenda;
  readonly notifications: NotificationLog;
  #board: BoardClient | undefined;
  #draining: Promise<void> | null = null;
  #drainAgain = false;

  constructor(host: SupervisorHost) {
    this.#host = host;
    const sql = host.storage.sql;
    this.deliveries = new Deliveries(sql);
    this.inbox = new Inbox(sql);
    this.qa = new QaSequence(sql);
    this.meta = new MetaQueue(sql);
    this.indexes = new Indexes(sql);
    this.values = new Meta(sql);
    this.agenda = new Agenda(sql);
    this.notifications = new NotificationLog(sql);
  }

  async start(): Promise<void> {
    migrate(this.#host.storage, SUPERVISOR_MIGRATIONS);
    if (this.agenda.get("prune") === null)
      this.agenda.set("prune", "prune", this.#host.now() + PRUNE_EVERY_MS);
    await armAlarm(this.#host.storage, this.agenda, this.#host.now());
  }

  /**
   * Records a verified delivery; once this resolves, the delivery is durable. Routing runs
   * after the answer (and again from the alarm if it fails), so GitHub gets its 2xx fast.
   */
  async ingest(input: IngestDelivery): Promise<IngestResult> {
    if (this.deliveries.has(input.deliveryId)) return { status: "duplicate" };
    const now = this.#host.now();
    const used = input.workspaceEvent;
    this.#host.storage.transactionSync(() => {
      this.deliveries.record({
        id: input.deliveryId,
        event: input.event,
        action: input.action,
        hookId: input.hookId,
        receivedAt: now,
        outcome: used ? "queued" : "ignored",
        ...(used ? {} : { detail: `event ${input.event} is not used by Worker Factory` }),
        sender: used?.sender ?? null,
      });
      if (used) {
        this.inbox.add(input.deliveryId, used, now);
        this.agenda.setEarliest("drain", "drain", now + RETRY_MS);
      }
    });
    if (!used) return { status: "ignored" };
    await armAlarm(this.#host.storage, this.agenda, now);
    this.#host.waitUntil(this.drain());
    return { status: "accepted" };
  }

  /** Routes every pending delivery, in order. One drain at a time: a call meanwhile makes it go round again. */
  async drain(): Promise<void> {
    if (this.#draining !== null) {
      this.#drainAgain = true;
      return this.#draining;
    }
    this.#draining = (async () => {
      do {
        this.#drainAgain = false;
        await routePending(this.#routeDeps());
      } while (this.#drainAgain);
      if (this.inbox.list("pending").length === 0) this.agenda.cancel("drain");
      await armAlarm(this.#host.storage, this.agenda, this.#host.now());
      this.#host.broadcast(["deliveries"]);
    })().finally(() => {
      this.#draining = null;
    });
    return this.#draining;
  }

  /**
   * The backstop, from the Cron Trigger or the operator: resolves items that waited for the
   * board, asks GitHub to redeliver what failed to reach us (when the hook id is configured),
   * reads a repo in full when that is due (rarely), and runs the light scan of the items not
   * done when it is due (`force`: now; `full`: every repo in full too).
   */
  async reconcile(request: { force?: boolean; full?: boolean } = {}): Promise<ReconcileSummary> {
    const route = this.#routeDeps();
    const awaiting = this.inbox.list("awaiting");
    for (const entry of awaiting) {
      if (entry.event.kind === "project_item") await resolveItem(route, entry, entry.event.itemId);
    }
    const redelivered = await redeliverFailed({
      config: this.#host.config(),
      board: () => this.#boardClient(),
      deliveries: this.deliveries,
      meta: this.meta,
      now: this.#host.now,
    });
    const config = this.#host.config();
    await ensureIndexed(route);
    let reconciled = 0;
    for (const repo of config.repos) {
      const outcome = await this.#host
        .repoQueue(repo.name)
        .reconcile(repo.name, { full: request.full === true });
      await absorbOutcome(this.#fanOut(), repo.name, outcome);
      if (outcome.index?.replace === true) this.values.set(`indexed:${repo.name}`, String(this.#host.now()));
      if (outcome.applied) reconciled += 1;
    }
    const scanned = scanDue(this.values, config, this.#host.now(), request.force === true);
    if (scanned) {
      const byRepo = await scanWorkspace(
        this.#boardClient(),
        this.indexes,
        config,
        this.values,
        this.#host.now(),
      );
      for (const [repo, scan] of byRepo) {
        const outcome = await this.#host.repoQueue(repo).applyScan(repo, scan.stamps, scan.found);
        await absorbOutcome(this.#fanOut(), repo, outcome);
        if (outcome.applied) reconciled += 1;
      }
    }
    // Parked items and a low budget, from each queue's state (no GitHub call).
    this.#notifyAttention(
      await Promise.all(config.repos.map((repo) => this.#host.repoQueue(repo.name).state())),
    );
    return {
      resolved: awaiting.length - this.inbox.list("awaiting").length,
      redelivered,
      repos: config.repos.length,
      reconciled,
      scanned,
    };
  }

  /** A RepoQueue's supervisory event (a steering effect, a scope verdict) for the operator log. */
  journal(kind: MetaKind, repo: string, number: number | null, detail: string): void {
    this.meta.record(kind, repo, number, detail, this.#host.now());
  }

  /** A RepoQueue's waiting QA sessions; the workspace sequence follows them. */
  syncQa(repo: string, waiting: Omit<QaEntry, "repo">[]): void {
    directives.syncQa(this.directives(), repo, waiting);
  }

  qaVerdict(input: Parameters<typeof directives.qaVerdict>[1]): Promise<QaVerdictResult> {
    return directives.qaVerdict(this.directives(), input);
  }

  moveQa(repo: string, number: number, index: number): boolean {
    return directives.moveQa(this.directives(), repo, number, index);
  }

  steer(repo: string, input: SteerInput): Promise<SteerResult> {
    return directives.steer(this.directives(), repo, input);
  }

  async setPaused(repo: string, paused: boolean): Promise<void> {
    await directives.setPaused(this.directives(), repo, paused);
  }

  /** A RepoQueue's stale human claims: escalated to the operator once each. */
  reportStaleClaims(repo: string, claims: StaleClaim[]): void {
    directives.reportStaleClaims(this.directives(), repo, claims);
  }

  state(limit = 50): SupervisorState {
    return {
      deliveries: this.deliveries.recent(limit, this.values.get("self_login")),
      deliveryCount: this.deliveries.count(),
      awaitingResolution: this.inbox.list("awaiting"),
      pendingRoutes: this.inbox.list("pending").length,
      qaSequence: this.qa.list(),
      metaQueue: this.meta.recent(limit),
      budget: this.#board?.budget() ?? null,
      indexes: this.indexes.counts(),
    };
  }

  /** Runs what the agenda says is due: retried routing, pruning of the journals. */
  async alarm(): Promise<void> {
    const now = this.#host.now();
    const due = new Set(this.agenda.take(now).map((entry) => entry.kind));
    if (due.has("prune")) {
      const journals = { deliveries: this.deliveries, inbox: this.inbox, meta: this.meta };
      pruneSupervisorJournals(journals, now, (work) => this.#host.storage.transactionSync(work));
      this.agenda.set("prune", "prune", now + PRUNE_EVERY_MS);
    }
    if (due.has("drain")) {
      this.agenda.set("drain", "drain", now + RETRY_MS);
      await this.drain();
    }
    await armAlarm(this.#host.storage, this.agenda, this.#host.now());
  }

  /**
   * Tells a person, once per cause, when one is needed. Returns at once: the POST runs in the
   * background and a failure is only logged, so no caller (and no dispatch) waits on it.
   */
  notify(cause: NotificationCause): NotifyOutcome {
    const host = this.#host;
    return notify(
      {
        config: host.config(),
        log: this.notifications,
        fetch: (input, init) => host.fetch(String(input), init ?? {}),
        waitUntil: (work) => host.waitUntil(work),
        now: host.now,
        report: (event, fields) => host.log(JSON.stringify({ event, ...fields })),
      },
      cause,
    );
  }

  directives(): DirectiveDeps {
    return {
      meta: this.meta,
      qa: this.qa,
      repoQueue: (repo) => this.#host.repoQueue(repo),
      now: this.#host.now,
      notify: (cause) => this.notify(cause),
    };
  }

  #notifyAttention(states: readonly RepoQueueState[]): void {
    const named = states.flatMap((state) => (state.repo === null ? [] : [{ ...state, name: state.repo }]));
    for (const cause of attentionCauses(this.#host.config(), named, this.#board?.budget() ?? null))
      this.notify(cause);
  }

  #boardClient(): BoardClient {
    this.#board ??= this.#host.board(this.#host.config(), this.values);
    return this.#board;
  }

  #fanOut(): FanOutDeps {
    return {
      indexes: this.indexes,
      meta: this.meta,
      dependencyUpdate: (repo, states) => this.#host.repoQueue(repo).dependencyUpdate(repo, states),
      now: this.#host.now,
    };
  }

  #routeDeps(): RouteDeps {
    return {
      config: this.#host.config(),
      deliveries: this.deliveries,
      inbox: this.inbox,
      indexes: this.indexes,
      values: this.values,
      board: () => this.#boardClient(),
      repoQueue: (repo) => this.#host.repoQueue(repo),
      fanOut: this.#fanOut(),
      transaction: (work) => this.#host.storage.transactionSync(work),
      now: this.#host.now,
      log: (line) => this.#host.log(line),
    };
  }
}
