/**
 * The workspace QA meta queue (seed: "QA dual-queue behavior"): the order in which the
 * operator does manual QA, one at a time, across repos. The head is the current item. Each
 * RepoQueue reports its waiting QA sessions; the operator reorders and gives verdicts.
 */
import type { Sql } from "../queue/sql.ts";
export const QA_SEQUENCE_SCHEMA = `
  CREATE TABLE qa_sequence (
    repo TEXT NOT NULL,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    position REAL NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (repo, number)
  );
`;

export interface QaEntry {
  repo: string;
  number: number;
  title: string;
  url: string | null;
}

export class QaSequence {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** Operator order: the first entry is the one to QA now. */
  list(): QaEntry[] {
    return this.#sql
      .exec<{ repo: string; number: number; title: string; url: string | null }>(
        "SELECT repo, number, title, url FROM qa_sequence ORDER BY position, added_at",
      )
      .toArray();
  }

  /** Replaces one repo's entries by its waiting sessions; new ones join the end of the line. */
  sync(repo: string, waiting: readonly Omit<QaEntry, "repo">[], now: number): void {
    const wanted = new Set(waiting.map((entry) => entry.number));
    for (const entry of this.list()) {
      if (entry.repo === repo && !wanted.has(entry.number)) this.remove(repo, entry.number);
    }
    let last =
      this.#sql.exec<{ p: number | null }>("SELECT MAX(position) AS p FROM qa_sequence").one().p ?? 0;
    for (const entry of waiting) {
      last += 1;
      this.#sql.exec(
        `INSERT INTO qa_sequence (repo, number, title, url, position, added_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (repo, number) DO UPDATE SET title = excluded.title, url = excluded.url`,
        repo,
        entry.number,
        entry.title,
        entry.url,
        last,
        now,
      );
    }
  }

  has(repo: string, number: number): boolean {
    return (
      this.#sql.exec("SELECT 1 FROM qa_sequence WHERE repo = ? AND number = ?", repo, number).toArray()
        .length > 0
    );
  }

  /** Moves an entry to `index` (0 = do it next); returns false when it is not in the queue. */
  move(repo: string, number: number, index: number): boolean {
    if (!this.has(repo, number)) return false;
    const others = this.list().filter((entry) => !(entry.repo === repo && entry.number === number));
    const order = [...others.slice(0, index), { repo, number }, ...others.slice(index)];
    order.forEach((entry, position) => {
      this.#sql.exec(
        "UPDATE qa_sequence SET position = ? WHERE repo = ? AND number = ?",
        position + 1,
        entry.repo,
        entry.number,
      );
    });
    return true;
  }

  remove(repo: string, number: number): void {
    this.#sql.exec("DELETE FROM qa_sequence WHERE repo = ? AND number = ?", repo, number);
  }
}
