/**
 * A repo's micro queue: one row per issue of the repo that has been a candidate (its board
 * values live in the mirror), with its place in line, gate verdict, attempts and retry time,
 * ordered by priority then age. Plain module over SQLite; the RepoQueue owns the storage.
 */
import type { Sql } from "./sql.ts";

export const MICRO_QUEUE_SCHEMA = `
  CREATE TABLE items (
    number INTEGER PRIMARY KEY,
    item_id TEXT,
    title TEXT NOT NULL,
    priority_rank INTEGER NOT NULL,
    enqueued_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    snapshot TEXT,
    state TEXT NOT NULL,
    verdict TEXT NOT NULL,
    reason TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX items_order ON items (state, priority_rank, enqueued_at);
`;

/**
 * `queued`: waiting for the gate or an agent. `running`: claimed and dispatched.
 * `parked`: failed too often, waits for a person. `done`: closed or finished.
 */
export type ItemState = "queued" | "running" | "parked" | "done";

export interface QueueItem {
  number: number;
  itemId: string | null;
  title: string;
  priorityRank: number;
  enqueuedAt: number;
  updatedAt: number;
  state: ItemState;
  verdict: string;
  reason: string;
  attempts: number;
  notBefore: number;
}

type Row = {
  number: number;
  item_id: string | null;
  title: string;
  priority_rank: number;
  enqueued_at: number;
  updated_at: number;
  state: string;
  verdict: string;
  reason: string;
  attempts: number;
  not_before: number;
};

export class MicroQueue {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  get(number: number): QueueItem | null {
    const row = this.#sql.exec<Row>("SELECT * FROM items WHERE number = ?", number).toArray()[0];
    return row ? toItem(row) : null;
  }

  /** Inserts or refreshes an item; its place in line (enqueued_at) is kept on refresh. */
  upsert(entry: {
    number: number;
    itemId: string | null;
    title: string;
    priorityRank: number;
    now: number;
  }): QueueItem {
    this.#sql.exec(
      `INSERT INTO items (number, item_id, title, priority_rank, enqueued_at, updated_at, state, verdict, reason)
       VALUES (?, ?, ?, ?, ?, ?, 'queued', 'pending', 'not evaluated yet')
       ON CONFLICT (number) DO UPDATE SET
         item_id = COALESCE(excluded.item_id, items.item_id),
         title = excluded.title,
         priority_rank = excluded.priority_rank,
         updated_at = excluded.updated_at`,
      entry.number,
      entry.itemId,
      entry.title,
      entry.priorityRank,
      entry.now,
      entry.now,
    );
    const item = this.get(entry.number);
    if (!item) throw new Error(`item ${entry.number} vanished after upsert`);
    return item;
  }

  /** The numbers of every item in the queue (one read, for a pass over the mirror). */
  numbers(): Set<number> {
    return new Set(
      this.#sql
        .exec<{ number: number }>("SELECT number FROM items")
        .toArray()
        .map((row) => row.number),
    );
  }

  /** Records the gate's verdict; a pass that finds it unchanged writes nothing. */
  setVerdict(number: number, verdict: string, reason: string): void {
    this.#sql.exec(
      "UPDATE items SET verdict = ?, reason = ? WHERE number = ? AND (verdict IS NOT ? OR reason IS NOT ?)",
      verdict,
      reason,
      number,
      verdict,
      reason,
    );
  }

  setState(
    number: number,
    state: ItemState,
    fields: { attempts?: number; notBefore?: number; reason?: string } = {},
  ): void {
    const current = this.get(number);
    if (!current) return;
    const next = {
      attempts: fields.attempts ?? current.attempts,
      notBefore: fields.notBefore ?? current.notBefore,
      reason: fields.reason ?? current.reason,
    };
    if (
      current.state === state &&
      current.attempts === next.attempts &&
      current.notBefore === next.notBefore &&
      current.reason === next.reason
    )
      return;
    this.#sql.exec(
      "UPDATE items SET state = ?, attempts = ?, not_before = ?, reason = ? WHERE number = ?",
      state,
      next.attempts,
      next.notBefore,
      next.reason,
      number,
    );
  }

  /**
   * The earliest retry time still ahead of `now` of a queued item waiting out its backoff, or
   * null. A time already past is not returned: that retry is due, and has been gated.
   */
  nextNotBefore(now: number): number | null {
    return this.#sql
      .exec<{ t: number | null }>(
        "SELECT MIN(not_before) AS t FROM items WHERE state = 'queued' AND not_before > ?",
        now,
      )
      .one().t;
  }

  /** Items in dispatch order: priority first, then the time they joined the queue. */
  list(state?: ItemState): QueueItem[] {
    const rows = state
      ? this.#sql.exec<Row>(
          "SELECT * FROM items WHERE state = ? ORDER BY priority_rank, enqueued_at, number",
          state,
        )
      : this.#sql.exec<Row>("SELECT * FROM items ORDER BY priority_rank, enqueued_at, number");
    return rows.toArray().map(toItem);
  }
}

function toItem(row: Row): QueueItem {
  return {
    number: row.number,
    itemId: row.item_id,
    title: row.title,
    priorityRank: row.priority_rank,
    enqueuedAt: row.enqueued_at,
    updatedAt: row.updated_at,
    state: row.state as ItemState,
    verdict: row.verdict,
    reason: row.reason,
    attempts: row.attempts,
    notBefore: row.not_before,
  };
}
