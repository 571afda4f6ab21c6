/**
 * `ctx.storage.sql` for Node (`node:sqlite`), so the bench and the fault simulation can run
 * the Worker's plain queue modules outside workerd. Follows SqlStorage's rules where the
 * modules rely on them: several statements per call only without bindings, the bindings
 * apply to the one statement, cursors are read at once. Plus `transaction` as transactionSync.
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { Sql, SqlCursor, SqlValue } from "../../worker/queue/sql.ts";

export class NodeSql implements Sql {
  readonly db = new DatabaseSync(":memory:");

  exec<T extends Record<string, SqlValue>>(query: string, ...bindings: SqlValue[]): SqlCursor<T> {
    if (bindings.length === 0 && !/^\s*(SELECT|WITH)\b/i.test(query) && !/\bRETURNING\b/i.test(query)) {
      this.db.exec(query);
      return cursor<T>([], 0);
    }
    const statement = this.db.prepare(query);
    const values = bindings.map((value): SQLInputValue =>
      value instanceof ArrayBuffer ? new Uint8Array(value) : value,
    );
    if (/^\s*(SELECT|WITH)\b/i.test(query) || /\bRETURNING\b/i.test(query)) {
      return cursor<T>(statement.all(...values) as T[], 0);
    }
    const result = statement.run(...values);
    return cursor<T>([], Number(result.changes));
  }

  /** Runs `work` in one transaction, rolled back if it throws (as `transactionSync`). */
  transaction<R>(work: () => R): R {
    this.db.exec("SAVEPOINT tx");
    try {
      const result = work();
      this.db.exec("RELEASE tx");
      return result;
    } catch (error) {
      this.db.exec("ROLLBACK TO tx");
      this.db.exec("RELEASE tx");
      throw error;
    }
  }
}

function cursor<T>(rows: T[], rowsWritten: number): SqlCursor<T> {
  return {
    toArray: () => rows,
    one: () => {
      if (rows.length !== 1) throw new Error(`expected exactly one row, got ${rows.length}`);
      return rows[0] as T;
    },
    rowsWritten,
  };
}
