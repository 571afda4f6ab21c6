/**
 * A Durable Object's storage for the simulation: `NodeSql` (node:sqlite) with transactionSync
 * and the one alarm, which the main loop reads to fire it in virtual time. It outlives the
 * cores built over it, as a Durable Object's storage outlives an eviction.
 */
import type { StoragePort } from "../../worker/queue/sql.ts";
import { NodeSql } from "../support/node-sql.ts";

export class SimStorage implements StoragePort {
  readonly sql = new NodeSql();
  alarm: number | null = null;

  transactionSync<T>(work: () => T): T {
    return this.sql.transaction(work);
  }

  async getAlarm(): Promise<number | null> {
    return this.alarm;
  }

  async setAlarm(at: number): Promise<void> {
    this.alarm = at;
  }

  async deleteAlarm(): Promise<void> {
    this.alarm = null;
  }
}
