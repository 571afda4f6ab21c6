/**
 * The part of a SQLite-backed Durable Object's storage that the plain modules and the objects'
 * cores use: `ctx.storage.sql`, `transactionSync` and the one alarm. `DurableObjectStorage`
 * satisfies it; so does the `node:sqlite` adapter the bench and the fault simulation run the
 * same code on, outside workerd.
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

export interface StoragePort {
  readonly sql: Sql;
  transactionSync<T>(work: () => T): T;
  getAlarm(): Promise<number | null>;
  setAlarm(at: number): Promise<void>;
  deleteAlarm(): Promise<void>;
}
