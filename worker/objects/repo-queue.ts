/**
 * RepoQueue: one Durable Object per configured repo (`idFromName("owner/name")`). Owns the
 * repo's micro queue, the gate verdicts, locks, runs and the agents' sockets. Thin: storage,
 * sockets and alarms live here; the rules live in the modules it calls.
 */
import { DurableObject } from "cloudflare:workers";
import type { AppEnv } from "../env.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import { loadWorkspaceConfig } from "../config/load-config.ts";
import { MICRO_QUEUE_SCHEMA, MicroQueue, type QueueItem } from "../queue/micro-queue.ts";
import { migrate } from "./migrate.ts";

const REPO_QUEUE_MIGRATIONS = [
  `${MICRO_QUEUE_SCHEMA}
   CREATE TABLE applied_events (delivery_id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

export interface RepoQueueState {
  repo: string | null;
  items: QueueItem[];
}

export class RepoQueue extends DurableObject<AppEnv> {
  readonly #queue: MicroQueue;

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    this.#queue = new MicroQueue(ctx.storage.sql);
    void ctx.blockConcurrencyWhile(async () => migrate(ctx.storage, REPO_QUEUE_MIGRATIONS));
  }

  /** Applies one routed event, once per delivery id. */
  async ingest(repo: string, deliveryId: string, event: WorkspaceEvent): Promise<{ applied: boolean }> {
    const sql = this.ctx.storage.sql;
    if (sql.exec("SELECT 1 FROM applied_events WHERE delivery_id = ?", deliveryId).toArray().length > 0) {
      return { applied: false };
    }
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      this.#rememberRepo(repo);
      sql.exec("INSERT INTO applied_events (delivery_id, applied_at) VALUES (?, ?)", deliveryId, now);
      this.#apply(event, now);
    });
    return { applied: true };
  }

  async state(): Promise<RepoQueueState> {
    return { repo: this.#repo(), items: this.#queue.list() };
  }

  #apply(event: WorkspaceEvent, now: number): void {
    if (event.kind !== "issue") return;
    const config = loadWorkspaceConfig(this.env);
    const existing = this.#queue.get(event.number);
    const item = this.#queue.upsert({
      number: event.number,
      itemId: existing?.itemId ?? null,
      title: event.title,
      priorityRank: existing?.priorityRank ?? config.priorities.length,
      snapshot: null,
      now,
    });
    if (event.action === "closed") {
      this.#queue.setState(item.number, "done", {
        reason: `issue closed (${event.stateReason ?? "no reason"})`,
      });
    } else if (event.action === "reopened" && item.state === "done") {
      this.#queue.setState(item.number, "queued", { reason: "issue reopened" });
    }
  }

  #rememberRepo(repo: string): void {
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('repo', ?)", repo);
  }

  #repo(): string | null {
    const row = this.ctx.storage.sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'repo'")
      .toArray()[0];
    return row?.value ?? null;
  }
}
