/**
 * The live sessions of GitHub's Copilot coding agent in one repo: one row per cloud run (the
 * run itself, its fence and lease, are in runs.ts), with the issue Copilot was assigned, its
 * pull request once seen, the last sign of progress, and how the session ended when it did.
 * Plain module over SQLite; the repo loop's cloud path (cloud-events.ts) writes it.
 */
import { z } from "zod";
import type { Sql } from "./sql.ts";

export const CLOUD_SESSIONS_SCHEMA = `
  CREATE TABLE cloud_sessions (
    run_id TEXT PRIMARY KEY,
    number INTEGER NOT NULL,
    issue_id TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    phase TEXT NOT NULL,
    pr_number INTEGER,
    pr_id TEXT,
    pr_url TEXT,
    head_ref TEXT,
    last_progress TEXT NOT NULL,
    last_progress_at INTEGER NOT NULL,
    ended TEXT
  );
  CREATE INDEX cloud_sessions_pr ON cloud_sessions (pr_number);
`;

/**
 * `assigned`: Copilot was assigned, no PR seen yet. `working`: its PR is open. `ready`: it
 * finished (the PR left draft or review was asked). `failed`: it said it stopped, or a person
 * unassigned it, or its PR was closed unmerged — `ended` says which.
 */
export const CloudPhase = z.enum(["assigned", "working", "ready", "failed"]);
export type CloudPhase = z.infer<typeof CloudPhase>;

export interface CloudSession {
  runId: string;
  number: number;
  issueId: string;
  actorId: string;
  phase: CloudPhase;
  pullRequest: { number: number; id: string | null; url: string | null; headRef: string | null } | null;
  lastProgress: string;
  lastProgressAt: number;
  ended: string | null;
}

type Row = {
  run_id: string;
  number: number;
  issue_id: string;
  actor_id: string;
  phase: string;
  pr_number: number | null;
  pr_id: string | null;
  pr_url: string | null;
  head_ref: string | null;
  last_progress: string;
  last_progress_at: number;
  ended: string | null;
};

export class CloudSessions {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  create(input: { runId: string; number: number; issueId: string; actorId: string; now: number }): void {
    this.#sql.exec(
      `INSERT INTO cloud_sessions (run_id, number, issue_id, actor_id, phase, last_progress, last_progress_at)
       VALUES (?, ?, ?, ?, 'assigned', 'assigned to Copilot', ?)`,
      input.runId,
      input.number,
      input.issueId,
      input.actorId,
      input.now,
    );
  }

  get(runId: string): CloudSession | null {
    const row = this.#sql.exec<Row>("SELECT * FROM cloud_sessions WHERE run_id = ?", runId).toArray()[0];
    return row ? toSession(row) : null;
  }

  /** Every session whose run has not been settled yet. */
  list(): CloudSession[] {
    return this.#sql.exec<Row>("SELECT * FROM cloud_sessions ORDER BY run_id").toArray().map(toSession);
  }

  byIssue(number: number): CloudSession | null {
    const row = this.#sql.exec<Row>("SELECT * FROM cloud_sessions WHERE number = ?", number).toArray()[0];
    return row ? toSession(row) : null;
  }

  byPullRequest(number: number): CloudSession | null {
    const row = this.#sql.exec<Row>("SELECT * FROM cloud_sessions WHERE pr_number = ?", number).toArray()[0];
    return row ? toSession(row) : null;
  }

  linkPullRequest(
    runId: string,
    pr: { number: number; id: string | null; url: string | null; headRef: string | null },
  ): void {
    this.#sql.exec(
      `UPDATE cloud_sessions SET pr_number = ?, pr_id = COALESCE(?, pr_id), pr_url = COALESCE(?, pr_url),
         head_ref = COALESCE(?, head_ref), phase = CASE phase WHEN 'assigned' THEN 'working' ELSE phase END
       WHERE run_id = ?`,
      pr.number,
      pr.id,
      pr.url,
      pr.headRef,
      runId,
    );
  }

  progress(runId: string, what: string, now: number): void {
    this.#sql.exec(
      "UPDATE cloud_sessions SET last_progress = ?, last_progress_at = ? WHERE run_id = ?",
      what.slice(0, 500),
      now,
      runId,
    );
  }

  /** Moves the session on; a session that ended stays ended (the first word on it counts). */
  setPhase(runId: string, phase: "ready" | "failed", ended: string | null = null): void {
    this.#sql.exec(
      "UPDATE cloud_sessions SET phase = ?, ended = ? WHERE run_id = ? AND phase <> 'failed'",
      phase,
      ended === null ? null : ended.slice(0, 1000),
      runId,
    );
  }

  drop(runId: string): void {
    this.#sql.exec("DELETE FROM cloud_sessions WHERE run_id = ?", runId);
  }
}

function toSession(row: Row): CloudSession {
  return {
    runId: row.run_id,
    number: row.number,
    issueId: row.issue_id,
    actorId: row.actor_id,
    phase: CloudPhase.catch("failed").parse(row.phase),
    pullRequest:
      row.pr_number === null
        ? null
        : { number: row.pr_number, id: row.pr_id, url: row.pr_url, headRef: row.head_ref },
    lastProgress: row.last_progress,
    lastProgressAt: row.last_progress_at,
    ended: row.ended,
  };
}
