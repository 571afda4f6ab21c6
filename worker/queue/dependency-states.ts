/**
 * What a RepoQueue knows of the issues its items depend on that are not in its own mirror
 * (other repos, or issues not on the board): state, close reason, Status on the project.
 * Read once from GitHub when first needed, then kept current by the supervisor's fan-out of
 * completions and by the repo's own issue events. Plain module over SQLite.
 */
import type { Sql } from "./sql.ts";
import type { IssueRef, IssueState } from "../board/board-item.ts";
import { issueRefKey } from "../board/issue-refs.ts";

export const DEPENDENCY_STATES_SCHEMA = `
  CREATE TABLE dependency_states (
    key TEXT PRIMARY KEY,
    repo TEXT NOT NULL,
    number INTEGER NOT NULL,
    state TEXT NOT NULL,
    state_reason TEXT,
    board_status TEXT,
    updated_at INTEGER NOT NULL
  );
`;

type Row = {
  repo: string;
  number: number;
  state: string;
  state_reason: string | null;
  board_status: string | null;
};

export class DependencyStates {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  all(): IssueState[] {
    return this.#sql
      .exec<Row>("SELECT repo, number, state, state_reason, board_status FROM dependency_states")
      .toArray()
      .map(toState);
  }

  has(ref: IssueRef): boolean {
    return (
      this.#sql.exec("SELECT 1 FROM dependency_states WHERE key = ?", issueRefKey(ref)).toArray().length > 0
    );
  }

  /** Refs this queue has never read. */
  missing(refs: readonly IssueRef[]): IssueRef[] {
    return refs.filter((ref) => !this.has(ref));
  }

  /**
   * Records states. `onlyKnown` updates only issues already tracked here (an issue event of
   * the repo itself, which may or may not be a dependency).
   */
  upsert(states: readonly IssueState[], now: number, options: { onlyKnown?: boolean } = {}): number {
    let changed = 0;
    for (const state of states) {
      if (options.onlyKnown === true && !this.has(state)) continue;
      this.#sql.exec(
        `INSERT INTO dependency_states (key, repo, number, state, state_reason, board_status, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET state = excluded.state, state_reason = excluded.state_reason,
           board_status = COALESCE(excluded.board_status, dependency_states.board_status),
           updated_at = excluded.updated_at`,
        issueRefKey(state),
        state.repo,
        state.number,
        state.state,
        state.stateReason,
        state.boardStatus ?? null,
        now,
      );
      changed += 1;
    }
    return changed;
  }
}

function toState(row: Row): IssueState {
  return {
    repo: row.repo,
    number: row.number,
    state: row.state === "CLOSED" ? "CLOSED" : "OPEN",
    stateReason: row.state_reason,
    boardStatus: row.board_status,
  };
}
