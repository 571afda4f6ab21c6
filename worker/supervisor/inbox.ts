/**
 * Events recorded by the supervisor and not yet handed to their RepoQueue. Written in the same
 * storage transaction as the delivery, so an accepted delivery is never lost: the alarm retries
 * whatever a crash or a failed hand-off left here.
 */
import type { Sql } from "../queue/sql.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import { boundText } from "../storage/bound-text.ts";
import { FIELD_LIMITS, RETENTION, type Retention } from "../storage/limits.ts";

export const INBOX_SCHEMA = `
  CREATE TABLE inbox (
    delivery_id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL
  );
`;

/** `pending`: route as soon as possible. `awaiting`: needs the board to find its repo. */
export type InboxState = "pending" | "awaiting";

export interface InboxEntry {
  deliveryId: string;
  event: WorkspaceEvent;
  state: InboxState;
  attempts: number;
}

export class Inbox {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  add(deliveryId: string, event: WorkspaceEvent, now: number): void {
    this.#sql.exec(
      "INSERT INTO inbox (delivery_id, event, state, created_at) VALUES (?, ?, 'pending', ?)",
      deliveryId,
      JSON.stringify(event),
      now,
    );
  }

  list(state: InboxState): InboxEntry[] {
    const rows = this.#sql.exec<{ delivery_id: string; event: string; state: string; attempts: number }>(
      "SELECT delivery_id, event, state, attempts FROM inbox WHERE state = ? ORDER BY created_at, rowid",
      state,
    );
    return rows.toArray().map((row) => ({
      deliveryId: row.delivery_id,
      // Written by `add` from a WorkspaceEvent in this same object.
      event: JSON.parse(row.event) as WorkspaceEvent,
      state: row.state as InboxState,
      attempts: row.attempts,
    }));
  }

  markAwaiting(deliveryId: string, reason: string): void {
    this.#sql.exec(
      "UPDATE inbox SET state = 'awaiting', last_error = ? WHERE delivery_id = ?",
      boundText(reason, FIELD_LIMITS.detailBytes),
      deliveryId,
    );
  }

  markFailed(deliveryId: string, error: string): void {
    this.#sql.exec(
      "UPDATE inbox SET attempts = attempts + 1, last_error = ? WHERE delivery_id = ?",
      boundText(error, FIELD_LIMITS.detailBytes),
      deliveryId,
    );
  }

  remove(deliveryId: string): void {
    this.#sql.exec("DELETE FROM inbox WHERE delivery_id = ?", deliveryId);
  }

  /**
   * Gives up on events that could not be routed for the retention age, then on the oldest past
   * the row cap; returns their delivery ids. Reconciliation reads the whole board, so what they
   * said still reaches the queues.
   */
  prune(now: number, retention: Retention = RETENTION.inbox): string[] {
    const old = this.#sql
      .exec<{ delivery_id: string }>(
        "DELETE FROM inbox WHERE created_at < ? RETURNING delivery_id",
        now - retention.maxAgeMs,
      )
      .toArray();
    const over = this.#sql
      .exec<{ delivery_id: string }>(
        `DELETE FROM inbox WHERE rowid IN
           (SELECT rowid FROM inbox ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?)
         RETURNING delivery_id`,
        retention.maxRows,
      )
      .toArray();
    return [...old, ...over].map((row) => row.delivery_id);
  }
}
