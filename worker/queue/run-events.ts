/**
 * The agent's last word on each run, for the dashboard: the latest frame of a run other than
 * a heartbeat (the run keeps its own last heartbeat) — started on its branch, a steering
 * command's effect, a request for more scope, its finish with the PR it opened. Plain module
 * over SQLite; the RepoQueue records a frame after applying it and adds these to its state.
 */
import type { AgentMessage } from "../protocol/messages.ts";
import type { Sql } from "./sql.ts";

export const RUN_EVENTS_SCHEMA = `
  CREATE TABLE run_events (
    run_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    at INTEGER NOT NULL,
    pr_url TEXT
  );
  CREATE INDEX run_events_at ON run_events (at);
`;

/** Events of runs older than this are dropped when a new run starts. */
const KEEP_MS = 30 * 24 * 60 * 60 * 1000;

export interface RunEvent {
  runId: string;
  kind: string;
  detail: string;
  at: number;
  /** The pull request the run reported when it finished, if any. */
  prUrl: string | null;
}

/** How a frame reads on the dashboard, or null for frames that are not worth showing. */
export function describeFrame(
  frame: AgentMessage,
): { runId: string; kind: string; detail: string; prUrl: string | null } | null {
  switch (frame.type) {
    case "run_started":
      return { runId: frame.runId, kind: "started", detail: `started on ${frame.branch}`, prUrl: null };
    case "steer_applied":
      return {
        runId: frame.runId,
        kind: `steer_${frame.effect}`,
        detail: `steering ${frame.effect.replace("_", " ")}${frame.detail ? `: ${frame.detail}` : ""}`,
        prUrl: null,
      };
    case "scope_request":
      return {
        runId: frame.runId,
        kind: "scope_request",
        detail: `asked for more scope: ${frame.paths.join(", ")}${frame.reason ? ` (${frame.reason})` : ""}`,
        prUrl: null,
      };
    case "run_finished":
      return {
        runId: frame.runId,
        kind: `finished_${frame.outcome}`,
        detail: `finished: ${frame.outcome}${frame.reason ? ` — ${frame.reason}` : ""}`,
        prUrl: frame.prUrl,
      };
    default:
      return null;
  }
}

export class RunEvents {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  record(event: RunEvent): void {
    if (event.kind === "started") this.#sql.exec("DELETE FROM run_events WHERE at < ?", event.at - KEEP_MS);
    this.#sql.exec(
      `INSERT INTO run_events (run_id, kind, detail, at, pr_url) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (run_id) DO UPDATE SET kind = excluded.kind, detail = excluded.detail, at = excluded.at,
         pr_url = COALESCE(excluded.pr_url, run_events.pr_url)`,
      event.runId,
      event.kind,
      event.detail.slice(0, 2000),
      event.at,
      event.prUrl,
    );
  }

  /** The last events of the given runs. */
  of(runIds: readonly string[]): RunEvent[] {
    if (runIds.length === 0) return [];
    return this.#sql
      .exec<{ run_id: string; kind: string; detail: string; at: number; pr_url: string | null }>(
        `SELECT run_id, kind, detail, at, pr_url FROM run_events WHERE run_id IN (${runIds.map(() => "?").join(", ")})`,
        ...runIds,
      )
      .toArray()
      .map((row) => ({
        runId: row.run_id,
        kind: row.kind,
        detail: row.detail,
        at: row.at,
        prUrl: row.pr_url,
      }));
  }
}
