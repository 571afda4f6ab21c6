/**
 * WorkspaceSupervisor: the one Durable Object per workspace that ingests each delivery once
 * (dedupe by X-GitHub-Delivery), records it durably, and routes each event to exactly one
 * RepoQueue, or records why not. Delivery journal, inbox and routing live in their modules.
 */
import { DurableObject } from "cloudflare:workers";
import type { AppEnv } from "../env.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import { loadWorkspaceConfig } from "../config/load-config.ts";
import { findRepo } from "../config/workspace-config.ts";
import { createBoard } from "./create-board.ts";
import { REDELIVERY_WINDOW_MS } from "../board/hook-deliveries.ts";
import { Deliveries, DELIVERIES_SCHEMA, type DeliveryRow } from "../supervisor/deliveries.ts";
import { Inbox, INBOX_SCHEMA, type InboxEntry } from "../supervisor/inbox.ts";
import { routeEvent } from "../supervisor/routing.ts";
import { QaSequence, QA_SEQUENCE_SCHEMA, type QaEntry } from "../supervisor/qa-sequence.ts";
import { MetaQueue, META_QUEUE_SCHEMA, type MetaEntry } from "../supervisor/meta-queue.ts";
import { pruneSupervisorJournals } from "../supervisor/prune-journals.ts";
import * as directives from "../supervisor/directives.ts";
import type { DirectiveDeps } from "../supervisor/directives.ts";
import type { SteerInput, SteerResult } from "../queue/steering.ts";
import type { StaleClaim } from "../board/gate.ts";
import type { QaVerdictResult } from "../queue/repo-qa.ts";
import { migrate } from "./migrate.ts";

const SUPERVISOR_MIGRATIONS = [DELIVERIES_SCHEMA + INBOX_SCHEMA, QA_SEQUENCE_SCHEMA, META_QUEUE_SCHEMA];

/** How soon the alarm retries routing that failed, and how often it prunes otherwise. */
const RETRY_MS = 30_000;
const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000;
/** Redeliveries asked for per reconciliation, to stay well inside GitHub's limits. */
const MAX_REDELIVERIES = 50;

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
}

export class WorkspaceSupervisor extends DurableObject<AppEnv> {
  readonly #deliveries: Deliveries;
  readonly #inbox: Inbox;
  readonly #qa: QaSequence;
  readonly #meta: MetaQueue;

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    this.#deliveries = new Deliveries(ctx.storage.sql);
    this.#inbox = new Inbox(ctx.storage.sql);
    this.#qa = new QaSequence(ctx.storage.sql);
    this.#meta = new MetaQueue(ctx.storage.sql);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, SUPERVISOR_MIGRATIONS);
      if ((await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(Date.now() + PRUNE_EVERY_MS);
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
      });
      if (used) this.#inbox.add(input.deliveryId, used, now);
    });
    if (!used) return { status: "ignored" };
    await this.ctx.storage.setAlarm(now + RETRY_MS);
    this.ctx.waitUntil(this.drain());
    return { status: "accepted" };
  }

  /** Hands every pending inbox event to its RepoQueue; failures stay for the alarm. */
  async drain(): Promise<void> {
    const config = loadWorkspaceConfig(this.env);
    for (const entry of this.#inbox.list("pending")) {
      const route = routeEvent(config, entry.event);
      try {
        if (route.kind === "repo") {
          await this.env.REPO_QUEUE.getByName(route.repo).ingest(route.repo, entry.deliveryId, entry.event);
          this.#settle(entry.deliveryId, () =>
            this.#deliveries.setOutcome(entry.deliveryId, "routed", route.repo, null),
          );
        } else if (route.kind === "unrouted") {
          this.#settle(entry.deliveryId, () =>
            this.#deliveries.setOutcome(entry.deliveryId, "unrouted", null, route.reason),
          );
        } else {
          await this.#resolveItem(entry, route.itemId);
        }
        if (
          entry.event.kind === "issue" &&
          (entry.event.action === "closed" || entry.event.action === "reopened")
        ) {
          const { event } = entry;
          const detail = `${event.repo}#${event.number} ${event.action}: other repos re-check their dependencies`;
          await this.#nudgeOthers(route.kind === "repo" ? route.repo : null, event.contentId, detail);
        }
      } catch (error) {
        this.#inbox.markFailed(entry.deliveryId, error instanceof Error ? error.message : String(error));
      }
    }
  }

  /**
   * The backstop: resolves items that waited for the board, asks GitHub to redeliver what
   * failed to reach us (when the hook id is configured), then has every RepoQueue read the
   * whole board.
   */
  async reconcile(): Promise<{ resolved: number; redelivered: number; repos: number }> {
    const awaiting = this.#inbox.list("awaiting");
    for (const entry of awaiting) {
      if (entry.event.kind === "project_item") await this.#resolveItem(entry, entry.event.itemId);
    }
    const redelivered = await this.#redeliverFailed();
    const config = loadWorkspaceConfig(this.env);
    await Promise.all(
      config.repos.map((repo) => this.env.REPO_QUEUE.getByName(repo.name).reconcile(repo.name)),
    );
    return {
      resolved: awaiting.length - this.#inbox.list("awaiting").length,
      redelivered,
      repos: config.repos.length,
    };
  }

  /** GitHub never retries a failed delivery; ask for those of the last 3 days we never got. */
  async #redeliverFailed(): Promise<number> {
    const config = loadWorkspaceConfig(this.env);
    const hookId = config.reconcile.hookId;
    if (hookId === undefined) return 0;
    const webhooks = createBoard(this.env, config).webhooks;
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
   * A project item names no repo: read it from the board. Items of another project, drafts and
   * repos outside the workspace are recorded as unrouted; a board failure leaves it awaiting.
   */
  async #resolveItem(entry: InboxEntry, itemId: string): Promise<void> {
    if (entry.event.kind !== "project_item") return;
    const config = loadWorkspaceConfig(this.env);
    const board = createBoard(this.env, config);
    let route: { repo: string } | { reason: string };
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
          ? { repo: repo.name }
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
    await this.env.REPO_QUEUE.getByName(route.repo).ingest(route.repo, entry.deliveryId, entry.event);
    const { repo } = route;
    this.#settle(entry.deliveryId, () => this.#deliveries.setOutcome(entry.deliveryId, "routed", repo, null));
  }

  /** Cross-repo dependency update: an issue closed or reopened may unblock items elsewhere. */
  async #nudgeOthers(except: string | null, contentId: string, detail: string): Promise<void> {
    const config = loadWorkspaceConfig(this.env);
    this.#meta.record("dependency_update", except, null, detail, Date.now());
    await Promise.all(
      config.repos
        .filter((repo) => repo.name !== except)
        .map((repo) => this.env.REPO_QUEUE.getByName(repo.name).nudge(repo.name, contentId)),
    );
  }

  /** A RepoQueue's waiting QA sessions; the workspace sequence follows them. */
  async syncQa(repo: string, waiting: Omit<QaEntry, "repo">[]): Promise<void> {
    this.#qa.sync(repo, waiting, Date.now());
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
    };
  }

  async state(limit = 50): Promise<SupervisorState> {
    return {
      deliveries: this.#deliveries.recent(limit),
      deliveryCount: this.#deliveries.count(),
      awaitingResolution: this.#inbox.list("awaiting"),
      pendingRoutes: this.#inbox.list("pending").length,
      qaSequence: this.#qa.list(),
      metaQueue: this.#meta.recent(limit),
    };
  }

  override async alarm(): Promise<void> {
    const journals = { deliveries: this.#deliveries, inbox: this.#inbox, meta: this.#meta };
    pruneSupervisorJournals(journals, Date.now(), (work) => this.ctx.storage.transactionSync(work));
    await this.drain();
    const retry = this.#inbox.list("pending").length > 0;
    await this.ctx.storage.setAlarm(Date.now() + (retry ? RETRY_MS : PRUNE_EVERY_MS));
  }

  #settle(deliveryId: string, record: () => void): void {
    this.ctx.storage.transactionSync(() => {
      this.#inbox.remove(deliveryId);
      record();
    });
  }
}
