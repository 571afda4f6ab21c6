/**
 * Small named values a Durable Object keeps in SQLite (its repo name, when the board was last
 * read in full and scanned, the budget meter, the project schema), so they survive eviction.
 */
import type { Sql } from "./sql.ts";
export const META_SCHEMA = "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);";

export class Meta {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  get(key: string): string | null {
    return (
      this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ??
      null
    );
  }

  set(key: string, value: string): void {
    this.#sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }

  /** A number kept as text, or null when unset or not a number. */
  getNumber(key: string): number | null {
    const value = this.get(key);
    if (value === null || value.trim() === "") return null;
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }

  delete(key: string): void {
    this.#sql.exec("DELETE FROM meta WHERE key = ?", key);
  }

  /** Sets the value only if the key has none yet. */
  setOnce(key: string, value: string): void {
    this.#sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", key, value);
  }
}
