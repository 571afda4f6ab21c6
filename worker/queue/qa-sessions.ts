/**
 * A repo's QA micro queue (seed: "QA dual-queue behavior"): one waiting session per item whose
 * Status is the QA value, whoever put it there (a finished run or a person). The board decides:
 * `sync` mirrors it on every refresh. A failed verdict's note is kept as context for the item's
 * next run. The workspace's QA sequence (which one the operator does next) lives in the
 * supervisor.
 */
import type { Sql } from "./sql.ts";
export const QA_SESSIONS_SCHEMA = `
  CREATE TABLE qa_sessions (
    number INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    url TEXT,
    state TEXT NOT NULL,
    note TEXT,
    requested_at INTEGER NOT NULL,
    decided_at INTEGER
  );
`;

export type QaState = "waiting" | "passed" | "failed";

export interface QaSession {
  number: number;
  title: string;
  url: string | null;
  state: QaState;
  note: string | null;
  requestedAt: number;
}

type Row = {
  number: number;
  title: string;
  url: string | null;
  state: string;
  note: string | null;
  requested_at: number;
};

export class QaSessions {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Mirrors the board: `inQa` are the repo's open items whose Status is the QA value. New
   * ones start waiting; waiting sessions whose item left QA are dropped. Returns whether the
   * set of waiting sessions changed.
   */
  sync(inQa: readonly { number: number; title: string; url: string | null }[], now: number): boolean {
    const before = this.waiting()
      .map((s) => s.number)
      .join(",");
    const wanted = new Set(inQa.map((item) => item.number));
    for (const session of this.waiting()) {
      if (!wanted.has(session.number))
        this.#sql.exec("DELETE FROM qa_sessions WHERE number = ?", session.number);
    }
    const waiting = new Map(this.waiting().map((session) => [session.number, session]));
    for (const item of inQa) {
      const known = waiting.get(item.number);
      // Unchanged sessions are not written again: this runs on every pass.
      if (known && known.title === item.title && known.url === item.url) continue;
      this.#sql.exec(
        `INSERT INTO qa_sessions (number, title, url, state, requested_at) VALUES (?, ?, ?, 'waiting', ?)
         ON CONFLICT (number) DO UPDATE SET title = excluded.title, url = excluded.url,
           state = 'waiting', note = CASE WHEN qa_sessions.state = 'waiting' THEN qa_sessions.note ELSE NULL END,
           requested_at = CASE WHEN qa_sessions.state = 'waiting' THEN qa_sessions.requested_at ELSE excluded.requested_at END`,
        item.number,
        item.title,
        item.url,
        now,
      );
    }
    return (
      before !==
      this.waiting()
        .map((s) => s.number)
        .join(",")
    );
  }

  waiting(): QaSession[] {
    return this.#sql
      .exec<Row>("SELECT * FROM qa_sessions WHERE state = 'waiting' ORDER BY requested_at, number")
      .toArray()
      .map(toSession);
  }

  get(number: number): QaSession | null {
    const row = this.#sql.exec<Row>("SELECT * FROM qa_sessions WHERE number = ?", number).toArray()[0];
    return row ? toSession(row) : null;
  }

  decide(number: number, verdict: "passed" | "failed", note: string | null, now: number): void {
    this.#sql.exec(
      "UPDATE qa_sessions SET state = ?, note = ?, decided_at = ? WHERE number = ?",
      verdict,
      note,
      now,
      number,
    );
  }

  /** Notes of a failed QA, handed to the item's next run as context. */
  contextFor(number: number): string[] {
    const session = this.get(number);
    return session?.state === "failed" && session.note ? [`QA failed: ${session.note}`] : [];
  }
}

function toSession(row: Row): QaSession {
  return {
    number: row.number,
    title: row.title,
    url: row.url,
    state: row.state as QaState,
    note: row.note,
    requestedAt: row.requested_at,
  };
}
