/**
 * One durable agenda per Durable Object (as cloudflare/agents' scheduler): every timed concern
 * (a retry's not-before, a lease's expiry, a board lease renewal, pruning, ...) is a row with a
 * key, a kind and a due time. The object's alarm is armed at the earliest row and runs only
 * what is due; no concern arms the alarm itself. Plain module over SQLite.
 */
import type { Sql, StoragePort } from "../queue/sql.ts";
export const AGENDA_SCHEMA = `
  CREATE TABLE agenda (key TEXT PRIMARY KEY, kind TEXT NOT NULL, due INTEGER NOT NULL);
  CREATE INDEX agenda_due ON agenda (due);
`;

export type AgendaEntry = {
  key: string;
  kind: string;
  due: number;
};

export class Agenda {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** Schedules `key` at `due`, replacing its earlier time. */
  set(key: string, kind: string, due: number): void {
    this.#sql.exec(
      "INSERT INTO agenda (key, kind, due) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, due = excluded.due",
      key,
      kind,
      due,
    );
  }

  /** Schedules `key` at `due` unless it is already due sooner (coalescing a burst). */
  setEarliest(key: string, kind: string, due: number): void {
    this.#sql.exec(
      "INSERT INTO agenda (key, kind, due) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET due = MIN(agenda.due, excluded.due)",
      key,
      kind,
      due,
    );
  }

  cancel(key: string): void {
    this.#sql.exec("DELETE FROM agenda WHERE key = ?", key);
  }

  get(key: string): AgendaEntry | null {
    return (
      this.#sql.exec<AgendaEntry>("SELECT key, kind, due FROM agenda WHERE key = ?", key).toArray()[0] ?? null
    );
  }

  /** The earliest due time, or null when nothing is scheduled. */
  next(): number | null {
    return this.#sql.exec<{ t: number | null }>("SELECT MIN(due) AS t FROM agenda").one().t;
  }

  /**
   * Removes and returns the entries due at `now`, earliest first. A handler that must run
   * again schedules its key anew; one that fails is put back by the caller.
   */
  take(now: number): AgendaEntry[] {
    const due = this.#sql
      .exec<AgendaEntry>("SELECT key, kind, due FROM agenda WHERE due <= ? ORDER BY due, key", now)
      .toArray();
    this.#sql.exec("DELETE FROM agenda WHERE due <= ?", now);
    return due;
  }

  list(): AgendaEntry[] {
    return this.#sql.exec<AgendaEntry>("SELECT key, kind, due FROM agenda ORDER BY due, key").toArray();
  }
}

/**
 * Arms the object's one alarm at the agenda's earliest entry, or removes it when nothing is
 * scheduled, so an idle object fires no alarm. A past time is armed as "now": the alarm then
 * runs that entry's work, it never spins.
 */
export async function armAlarm(
  storage: Pick<StoragePort, "getAlarm" | "setAlarm" | "deleteAlarm">,
  agenda: Agenda,
  now: number,
): Promise<void> {
  const next = agenda.next();
  const current = await storage.getAlarm();
  if (next === null) {
    if (current !== null) await storage.deleteAlarm();
    return;
  }
  const at = Math.max(next, now);
  if (current !== at) await storage.setAlarm(at);
}
