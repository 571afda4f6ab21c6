/**
 * Frames the RepoQueue sent to an agent and that the agent has not acknowledged yet. They are
 * resent, in order, when the agent reconnects; the agent drops any id it already applied.
 * Also remembers the agent frames already applied, with the reply given, so a resent frame
 * gets the same answer and is not applied twice.
 */
import type { Sql } from "./sql.ts";
import type { ServerMessage } from "../protocol/messages.ts";
import { RETENTION, type Retention } from "../storage/limits.ts";

export const OUTBOX_SCHEMA = `
  CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    run_id TEXT,
    frame TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE applied_frames (id TEXT PRIMARY KEY, reply TEXT NOT NULL, applied_at INTEGER NOT NULL);
`;

/** Added later, for pruning by age and count. */
export const APPLIED_FRAMES_INDEX = `
  CREATE INDEX applied_frames_at ON applied_frames (applied_at);
`;

export class Outbox {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  add(agentId: string, runId: string | null, frame: ServerMessage & { id: string }, now: number): void {
    this.#sql.exec(
      "INSERT INTO outbox (id, agent_id, run_id, frame, created_at) VALUES (?, ?, ?, ?, ?)",
      frame.id,
      agentId,
      runId,
      JSON.stringify(frame),
      now,
    );
  }

  /** Unacknowledged frames for an agent, oldest first, as the text to send. */
  pending(agentId: string): string[] {
    return this.#sql
      .exec<{ frame: string }>(
        "SELECT frame FROM outbox WHERE agent_id = ? ORDER BY created_at, rowid",
        agentId,
      )
      .toArray()
      .map((row) => row.frame);
  }

  ack(id: string): void {
    this.#sql.exec("DELETE FROM outbox WHERE id = ?", id);
  }

  dropRun(runId: string): void {
    this.#sql.exec("DELETE FROM outbox WHERE run_id = ?", runId);
  }

  size(): number {
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
  }

  /** The reply given to an agent frame already applied, or null. */
  appliedReply(id: string): string | null {
    return (
      this.#sql.exec<{ reply: string }>("SELECT reply FROM applied_frames WHERE id = ?", id).toArray()[0]
        ?.reply ?? null
    );
  }

  recordApplied(id: string, reply: string, now: number): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO applied_frames (id, reply, applied_at) VALUES (?, ?, ?)",
      id,
      reply,
      now,
    );
  }

  /**
   * Forgets applied frames older than the retention age, then the oldest past the row cap;
   * returns how many. A frame resent after that is checked again, and fences refuse it if its
   * run is over, so forgetting never applies a finished run's frame twice.
   */
  pruneApplied(now: number, retention: Retention = RETENTION.appliedFrames): number {
    const old = this.#sql.exec("DELETE FROM applied_frames WHERE applied_at < ?", now - retention.maxAgeMs);
    const over = this.#sql.exec(
      `DELETE FROM applied_frames WHERE rowid IN
         (SELECT rowid FROM applied_frames ORDER BY applied_at DESC, rowid DESC LIMIT -1 OFFSET ?)`,
      retention.maxRows,
    );
    return old.rowsWritten + over.rowsWritten;
  }
}
