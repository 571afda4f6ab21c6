/**
 * The RepoQueue's journal of deliveries already applied (`applied_events`, created by the
 * RepoQueue's first migration): its index and its pruning by age and count. Plain SQL over
 * the object's storage; prune-journals.ts calls it.
 */
import type { Sql } from "./sql.ts";
import { RETENTION, type Retention } from "../storage/limits.ts";

/** Added later, for pruning by age and count. */
export const APPLIED_EVENTS_INDEX = `
  CREATE INDEX applied_events_at ON applied_events (applied_at);
`;

/**
 * Forgets applied deliveries older than the retention age (as long as the supervisor's dedupe
 * window), then the oldest past the row cap; returns how many.
 */
export function pruneAppliedEvents(
  sql: Sql,
  now: number,
  retention: Retention = RETENTION.appliedEvents,
): number {
  const old = sql.exec("DELETE FROM applied_events WHERE applied_at < ?", now - retention.maxAgeMs);
  const over = sql.exec(
    `DELETE FROM applied_events WHERE rowid IN
       (SELECT rowid FROM applied_events ORDER BY applied_at DESC, rowid DESC LIMIT -1 OFFSET ?)`,
    retention.maxRows,
  );
  return old.rowsWritten + over.rowsWritten;
}
