/**
 * The workspace meta queue (seed: "Workspace Meta Queue"): the journal of supervisory events
 * the WorkspaceSupervisor handled — cross-repo dependency updates, the operator's directives
 * (steering, pause and resume, QA verdicts and reordering), redeliveries, stale claims — so
 * the operator can see what the control plane did and why. Kept 30 days, pruned by alarm.
 */
import type { Sql } from "../queue/sql.ts";
import { boundText } from "../storage/bound-text.ts";
import { FIELD_LIMITS, RETENTION, type Retention } from "../storage/limits.ts";

export const META_QUEUE_SCHEMA = `
  CREATE TABLE meta_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    repo TEXT,
    number INTEGER,
    detail TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX meta_queue_kind ON meta_queue (kind, repo, number);
`;

export const META_RETENTION_MS = RETENTION.metaQueue.maxAgeMs;

export type MetaKind =
  | "dependency_update"
  | "steer"
  | "pause"
  | "resume"
  | "qa_verdict"
  | "qa_move"
  | "redelivery"
  | "stale_claim"
  | "retry"
  | "claim_released"
  | "notification"
  | "steer_effect"
  | "scope_request"
  | "pull_request"
  | "qa_timeout"
  | "cloud_session"
  | "person_claim";

export interface MetaEntry {
  id: number;
  kind: MetaKind;
  repo: string | null;
  number: number | null;
  detail: string;
  at: string;
}

type Row = {
  id: number;
  kind: string;
  repo: string | null;
  number: number | null;
  detail: string;
  created_at: number;
};

export class MetaQueue {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  record(kind: MetaKind, repo: string | null, number: number | null, detail: string, now: number): void {
    this.#sql.exec(
      "INSERT INTO meta_queue (kind, repo, number, detail, created_at) VALUES (?, ?, ?, ?, ?)",
      kind,
      repo,
      number,
      boundText(detail, FIELD_LIMITS.detailBytes),
      now,
    );
  }

  /** Whether this exact event was recorded already (e.g. the same stale claim). */
  has(kind: MetaKind, repo: string, number: number, detail: string): boolean {
    return (
      this.#sql
        .exec(
          "SELECT 1 FROM meta_queue WHERE kind = ? AND repo = ? AND number = ? AND detail = ?",
          kind,
          repo,
          number,
          detail,
        )
        .toArray().length > 0
    );
  }

  /** The newest entry of this kind for one item, or null. */
  latest(kind: MetaKind, repo: string, number: number): MetaEntry | null {
    const row = this.#sql
      .exec<Row>(
        "SELECT * FROM meta_queue WHERE kind = ? AND repo = ? AND number = ? ORDER BY id DESC LIMIT 1",
        kind,
        repo,
        number,
      )
      .toArray()[0];
    return row ? toEntry(row) : null;
  }

  recent(limit: number): MetaEntry[] {
    return this.#sql
      .exec<Row>("SELECT * FROM meta_queue ORDER BY id DESC LIMIT ?", limit)
      .toArray()
      .map(toEntry);
  }

  /** Drops entries past the retention age, then the oldest past the row cap; returns how many. */
  prune(now: number, retention: Retention = RETENTION.metaQueue): number {
    const old = this.#sql.exec("DELETE FROM meta_queue WHERE created_at < ?", now - retention.maxAgeMs);
    const over = this.#sql.exec(
      "DELETE FROM meta_queue WHERE id IN (SELECT id FROM meta_queue ORDER BY id DESC LIMIT -1 OFFSET ?)",
      retention.maxRows,
    );
    return old.rowsWritten + over.rowsWritten;
  }
}

function toEntry(row: Row): MetaEntry {
  return {
    id: row.id,
    // Written by `record` with a MetaKind in this same object.
    kind: row.kind as MetaKind,
    repo: row.repo,
    number: row.number,
    detail: row.detail,
    at: new Date(row.created_at).toISOString(),
  };
}
