/**
 * Schema migrations for SQLite-backed Durable Objects. `PRAGMA user_version` is unsupported
 * there, so applied versions live in `_sql_schema_migrations`. Call it from the constructor
 * inside `blockConcurrencyWhile`.
 */
import type { StoragePort } from "../queue/sql.ts";

export function migrate(
  storage: Pick<StoragePort, "sql" | "transactionSync">,
  migrations: readonly string[],
): void {
  const sql = storage.sql;
  sql.exec(
    "CREATE TABLE IF NOT EXISTS _sql_schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
  );
  const row = sql
    .exec<{ version: number | null }>("SELECT MAX(version) AS version FROM _sql_schema_migrations")
    .one();
  const current = row.version ?? 0;
  migrations.forEach((statements, index) => {
    const version = index + 1;
    if (version <= current) return;
    storage.transactionSync(() => {
      sql.exec(statements);
      sql.exec("INSERT INTO _sql_schema_migrations (version, applied_at) VALUES (?, ?)", version, Date.now());
    });
  });
}
