/**
 * Runs and their fences. A run is one claim of one item by one agent; its fence is a per-repo
 * number that only grows, so frames from a run whose fence is no longer current are refused.
 * Leases are renewed by heartbeats here; the board copy is written at most once per half lease.
 */
import type { Sql } from "./sql.ts";
export const RUNS_SCHEMA = `
  CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    number INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    fence INTEGER NOT NULL UNIQUE,
    agent_id TEXT NOT NULL,
    state TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    lock_keys TEXT NOT NULL,
    lease_expires INTEGER NOT NULL,
    last_heartbeat INTEGER NOT NULL,
    board_written_at INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    outcome TEXT,
    reason TEXT,
    branch TEXT
  );
  CREATE INDEX runs_state ON runs (state, lease_expires);
  CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

/** `claiming`: board write in flight. `dispatched`: sent to the agent. `running`: agent started it. */
export type RunState = "claiming" | "dispatched" | "running" | "finished";
const LIVE_STATES = "('claiming', 'dispatched', 'running')";

export interface Run {
  runId: string;
  number: number;
  itemId: string;
  fence: number;
  agentId: string;
  state: RunState;
  attempt: number;
  lockKeys: string;
  leaseExpires: number;
  lastHeartbeat: number;
  boardWrittenAt: number;
  startedAt: number;
  finishedAt: number | null;
  outcome: string | null;
  reason: string | null;
  branch: string | null;
  lastEvent: string | null;
  lastEventAt: number | null;
}

type Row = {
  run_id: string;
  number: number;
  item_id: string;
  fence: number;
  agent_id: string;
  state: string;
  attempt: number;
  lock_keys: string;
  lease_expires: number;
  last_heartbeat: number;
  board_written_at: number;
  started_at: number;
  finished_at: number | null;
  outcome: string | null;
  reason: string | null;
  branch: string | null;
  last_event: string | null;
  last_event_at: number | null;
};

export type FenceCheck =
  { ok: true; run: Run } | { ok: false; error: "stale_fence" | "unknown_run"; message: string };

export class Runs {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** The next fence of this repo: strictly greater than every fence handed out before. */
  nextFence(): number {
    const row = this.#sql
      .exec<{ value: number }>(
        "INSERT INTO counters (name, value) VALUES ('fence', 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
      )
      .one();
    return row.value;
  }

  create(
    run: Omit<Run, "finishedAt" | "outcome" | "reason" | "branch" | "state" | "lastEvent" | "lastEventAt">,
  ): Run {
    this.#sql.exec(
      `INSERT INTO runs (run_id, number, item_id, fence, agent_id, state, attempt, lock_keys, lease_expires,
                         last_heartbeat, board_written_at, started_at)
       VALUES (?, ?, ?, ?, ?, 'claiming', ?, ?, ?, ?, ?, ?)`,
      run.runId,
      run.number,
      run.itemId,
      run.fence,
      run.agentId,
      run.attempt,
      run.lockKeys,
      run.leaseExpires,
      run.lastHeartbeat,
      run.boardWrittenAt,
      run.startedAt,
    );
    return {
      ...run,
      state: "claiming",
      finishedAt: null,
      outcome: null,
      reason: null,
      branch: null,
      lastEvent: null,
      lastEventAt: null,
    };
  }

  get(runId: string): Run | null {
    const row = this.#sql.exec<Row>("SELECT * FROM runs WHERE run_id = ?", runId).toArray()[0];
    return row ? toRun(row) : null;
  }

  /** The live run of an item, if any: at most one, since an item is claimed once at a time. */
  liveFor(number: number): Run | null {
    const row = this.#sql
      .exec<Row>(`SELECT * FROM runs WHERE number = ? AND state IN ${LIVE_STATES}`, number)
      .toArray()[0];
    return row ? toRun(row) : null;
  }

  live(): Run[] {
    return this.#sql
      .exec<Row>(`SELECT * FROM runs WHERE state IN ${LIVE_STATES} ORDER BY fence`)
      .toArray()
      .map(toRun);
  }

  recent(limit: number): Run[] {
    return this.#sql.exec<Row>("SELECT * FROM runs ORDER BY fence DESC LIMIT ?", limit).toArray().map(toRun);
  }

  liveCountFor(agentId: string): number {
    return this.#sql
      .exec<{ n: number }>(
        `SELECT COUNT(*) AS n FROM runs WHERE agent_id = ? AND state IN ${LIVE_STATES}`,
        agentId,
      )
      .one().n;
  }

  /** A frame about a run is applied only while the run is live and its fence is the item's newest. */
  checkFence(runId: string, fence: number): FenceCheck {
    const run = this.get(runId);
    if (!run) return { ok: false, error: "unknown_run", message: `no run ${runId}` };
    const newest = this.#sql
      .exec<{ fence: number | null }>("SELECT MAX(fence) AS fence FROM runs WHERE number = ?", run.number)
      .one().fence;
    if (run.fence !== fence || newest !== fence || run.state === "finished") {
      return {
        ok: false,
        error: "stale_fence",
        message: `fence ${fence} of run ${runId} is no longer current`,
      };
    }
    return { ok: true, run };
  }

  setState(runId: string, state: RunState, branch?: string): void {
    this.#sql.exec(
      "UPDATE runs SET state = ?, branch = COALESCE(?, branch) WHERE run_id = ?",
      state,
      branch ?? null,
      runId,
    );
  }

  /** The run's last event as the operator sees it (started, steered, scope granted, ...). */
  setLastEvent(runId: string, text: string, now: number): void {
    this.#sql.exec(
      "UPDATE runs SET last_event = ?, last_event_at = ? WHERE run_id = ?",
      text.slice(0, 500),
      now,
      runId,
    );
  }

  /** The keys a live run holds, after its scope changed (board edit or a granted scope request). */
  setLockKeys(runId: string, lockKeys: string): void {
    this.#sql.exec("UPDATE runs SET lock_keys = ? WHERE run_id = ?", lockKeys, runId);
  }

  renew(runId: string, now: number, leaseMs: number): void {
    this.#sql.exec(
      "UPDATE runs SET last_heartbeat = ?, lease_expires = ? WHERE run_id = ?",
      now,
      now + leaseMs,
      runId,
    );
  }

  markBoardWritten(runId: string, now: number): void {
    this.#sql.exec("UPDATE runs SET board_written_at = ? WHERE run_id = ?", now, runId);
  }

  finish(runId: string, outcome: string, reason: string, now: number): void {
    this.#sql.exec(
      "UPDATE runs SET state = 'finished', outcome = ?, reason = ?, finished_at = ? WHERE run_id = ?",
      outcome,
      reason,
      now,
      runId,
    );
  }

  expired(now: number): Run[] {
    return this.#sql
      .exec<Row>(
        `SELECT * FROM runs WHERE state IN ${LIVE_STATES} AND lease_expires <= ? ORDER BY fence`,
        now,
      )
      .toArray()
      .map(toRun);
  }

  nextExpiry(): number | null {
    return this.#sql
      .exec<{ t: number | null }>(`SELECT MIN(lease_expires) AS t FROM runs WHERE state IN ${LIVE_STATES}`)
      .one().t;
  }
}

function toRun(row: Row): Run {
  return {
    runId: row.run_id,
    number: row.number,
    itemId: row.item_id,
    fence: row.fence,
    agentId: row.agent_id,
    state: row.state as RunState,
    attempt: row.attempt,
    lockKeys: row.lock_keys,
    leaseExpires: row.lease_expires,
    lastHeartbeat: row.last_heartbeat,
    boardWrittenAt: row.board_written_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    reason: row.reason,
    branch: row.branch,
    lastEvent: row.last_event,
    lastEventAt: row.last_event_at,
  };
}

/** Added after the first schema: the run's last event for the operator. */
export const RUNS_LAST_EVENT_SCHEMA = `
  ALTER TABLE runs ADD COLUMN last_event TEXT;
  ALTER TABLE runs ADD COLUMN last_event_at INTEGER;
`;
