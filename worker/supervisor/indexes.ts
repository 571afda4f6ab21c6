/**
 * The supervisor's two indexes, fed by what the RepoQueues report after each event and
 * reconciliation: which repo each project item belongs to (so a `projects_v2_item` event of
 * a known item is routed without a read), and which items wait on which issues in other
 * repos (so a blocker's completion reaches its dependents while its delivery is processed).
 * Plain module over SQLite.
 */
import type { Sql } from "../queue/sql.ts";
import type { IndexDelta } from "../queue/apply-event.ts";

export const INDEXES_SCHEMA = `
  CREATE TABLE item_routes (
    item_id TEXT PRIMARY KEY,
    repo TEXT NOT NULL,
    content_id TEXT,
    number INTEGER
  );
  CREATE INDEX item_routes_repo ON item_routes (repo);
  CREATE TABLE waits (
    blocker TEXT NOT NULL,
    repo TEXT NOT NULL,
    number INTEGER NOT NULL,
    PRIMARY KEY (blocker, repo, number)
  );
  CREATE INDEX waits_waiter ON waits (repo, number);
`;

export interface Waiter {
  repo: string;
  number: number;
}

export class Indexes {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  repoOf(itemId: string): string | null {
    return (
      this.#sql.exec<{ repo: string }>("SELECT repo FROM item_routes WHERE item_id = ?", itemId).toArray()[0]
        ?.repo ?? null
    );
  }

  /** Applies a RepoQueue's report; `replace` drops what the repo reported before. */
  apply(repo: string, delta: IndexDelta): void {
    if (delta.replace) {
      this.#sql.exec("DELETE FROM item_routes WHERE repo = ?", repo);
      this.#sql.exec("DELETE FROM waits WHERE repo = ?", repo);
    }
    for (const item of delta.items) {
      this.#sql.exec(
        "INSERT OR REPLACE INTO item_routes (item_id, repo, content_id, number) VALUES (?, ?, ?, ?)",
        item.itemId,
        repo,
        item.contentId,
        item.number,
      );
    }
    for (const itemId of delta.removed) this.#sql.exec("DELETE FROM item_routes WHERE item_id = ?", itemId);
    for (const { number, blockers } of delta.waits) {
      this.#sql.exec("DELETE FROM waits WHERE repo = ? AND number = ?", repo, number);
      for (const blocker of blockers) {
        this.#sql.exec(
          "INSERT OR IGNORE INTO waits (blocker, repo, number) VALUES (?, ?, ?)",
          blocker.toLowerCase(),
          repo,
          number,
        );
      }
    }
  }

  /** Items that wait on the issue `key` (`owner/repo#n`, any case). */
  waitersOf(key: string): Waiter[] {
    return this.#sql
      .exec<{ repo: string; number: number }>(
        "SELECT repo, number FROM waits WHERE blocker = ? ORDER BY repo, number",
        key.toLowerCase(),
      )
      .toArray();
  }

  counts(): { items: number; waits: number } {
    return {
      items: this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM item_routes").one().n,
      waits: this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM waits").one().n,
    };
  }
}
