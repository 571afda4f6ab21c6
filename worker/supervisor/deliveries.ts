/**
 * The supervisor's delivery journal: every verified delivery id with its outcome, kept for
 * the dedupe window (GitHub redelivers with the same X-GitHub-Delivery) and pruned by alarm.
 */
import type { Sql } from "../queue/sql.ts";
import { boundText } from "../storage/bound-text.ts";
import { FIELD_LIMITS, RETENTION, type Retention } from "../storage/limits.ts";

export const DEDUPE_WINDOW_MS = RETENTION.deliveries.maxAgeMs;

export const DELIVERIES_SCHEMA = `
  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    action TEXT,
    hook_id TEXT,
    received_at INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    repo TEXT,
    detail TEXT
  );
  CREATE INDEX deliveries_received ON deliveries (received_at);
`;

/**
 * Who sent each delivery, and whether its RepoQueue found it an echo of the dispatcher's own
 * write, so the dashboard can fold the Worker's own echoes (issue 9).
 */
export const DELIVERY_MARKS_SCHEMA = `
  ALTER TABLE deliveries ADD COLUMN sender TEXT;
  ALTER TABLE deliveries ADD COLUMN echo INTEGER NOT NULL DEFAULT 0;
`;

export type DeliveryOutcome = "ignored" | "queued" | "routed" | "unrouted" | "awaiting_resolution" | "failed";

export interface DeliveryRow {
  id: string;
  event: string;
  action: string | null;
  receivedAt: string;
  outcome: DeliveryOutcome;
  repo: string | null;
  detail: string | null;
  /** The webhook's `sender` login, when the event carried one. */
  sender: string | null;
  /** An echo of the dispatcher's own write: sent by its login, or found so by the RepoQueue. */
  echo: boolean;
}

export class Deliveries {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  has(id: string): boolean {
    return this.#sql.exec("SELECT 1 FROM deliveries WHERE id = ?", id).toArray().length > 0;
  }

  record(row: {
    id: string;
    event: string;
    action: string | null;
    hookId: string | null;
    receivedAt: number;
    outcome: DeliveryOutcome;
    detail?: string;
    sender?: string | null;
  }): void {
    this.#sql.exec(
      "INSERT INTO deliveries (id, event, action, hook_id, received_at, outcome, detail, sender) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      row.id,
      row.event,
      row.action,
      row.hookId,
      row.receivedAt,
      row.outcome,
      row.detail === undefined ? null : boundText(row.detail, FIELD_LIMITS.detailBytes),
      row.sender === undefined || row.sender === null
        ? null
        : boundText(row.sender, FIELD_LIMITS.identifierBytes),
    );
  }

  /** The RepoQueue found this delivery to echo a write of the dispatcher's own. */
  markEcho(id: string): void {
    this.#sql.exec("UPDATE deliveries SET echo = 1 WHERE id = ?", id);
  }

  setOutcome(id: string, outcome: DeliveryOutcome, repo: string | null, detail: string | null): void {
    this.#sql.exec(
      "UPDATE deliveries SET outcome = ?, repo = ?, detail = ? WHERE id = ?",
      outcome,
      repo,
      detail === null ? null : boundText(detail, FIELD_LIMITS.detailBytes),
      id,
    );
  }

  /** The newest deliveries; `selfLogin` (the dispatcher's login, when known) marks its echoes. */
  recent(limit: number, selfLogin: string | null = null): DeliveryRow[] {
    return this.#sql
      .exec<{
        id: string;
        event: string;
        action: string | null;
        received_at: number;
        outcome: string;
        repo: string | null;
        detail: string | null;
        sender: string | null;
        echo: number;
      }>(
        "SELECT id, event, action, received_at, outcome, repo, detail, sender, echo FROM deliveries ORDER BY received_at DESC, rowid DESC LIMIT ?",
        limit,
      )
      .toArray()
      .map((row) => ({
        id: row.id,
        event: row.event,
        action: row.action,
        receivedAt: new Date(row.received_at).toISOString(),
        outcome: row.outcome as DeliveryOutcome,
        repo: row.repo,
        detail: row.detail,
        sender: row.sender,
        echo: row.echo === 1 || (selfLogin !== null && row.sender === selfLogin),
      }));
  }

  count(): number {
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries").one().n;
  }

  /**
   * Drops deliveries older than the dedupe window, then the oldest past the row cap (a flood
   * shortens the dedupe window rather than growing storage); returns how many.
   */
  prune(now: number, retention: Retention = RETENTION.deliveries): number {
    const old = this.#sql.exec("DELETE FROM deliveries WHERE received_at < ?", now - retention.maxAgeMs);
    const over = this.#sql.exec(
      `DELETE FROM deliveries WHERE rowid IN
         (SELECT rowid FROM deliveries ORDER BY received_at DESC, rowid DESC LIMIT -1 OFFSET ?)`,
      retention.maxRows,
    );
    return old.rowsWritten + over.rowsWritten;
  }
}
