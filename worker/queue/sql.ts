/**
 * The part of a SQLite-backed Durable Object's `ctx.storage.sql` that the plain modules use.
 * `SqlStorage` satisfies it; so does the `node:sqlite` adapter the bench and the fault
 * simulation run these modules on, outside workerd.
 */
export type SqlValue = ArrayBuffer | string | number | null;

export interface SqlCursor<T> {
  toArray(): T[];
  one(): T;
  readonly rowsWritten: number;
}

export interface Sql {
  exec<T extends Record<string, SqlValue>>(query: string, ...bindings: SqlValue[]): SqlCursor<T>;
}
