/**
 * The RepoQueue's mirror of its repo's board items: field values, issue and PR state,
 * dependencies, `updatedAt`, in SQLite, so eviction and restarts cost no re-read. Webhook
 * deltas and the dispatcher's own writes are applied here; reconciliation replaces what it
 * read. Also remembers what the dispatcher itself wrote, to tell its echoes from other writers.
 * Plain module; the in-memory map is a cache of the table.
 */
import type { Sql } from "./sql.ts";
import type { BoardItem, FieldRole } from "../board/board-item.ts";

export const MIRROR_SCHEMA = `
  CREATE TABLE mirror (
    item_id TEXT PRIMARY KEY,
    content_id TEXT,
    number INTEGER,
    updated_at TEXT NOT NULL,
    item TEXT NOT NULL,
    synced_at INTEGER NOT NULL
  );
  CREATE INDEX mirror_content ON mirror (content_id);
  CREATE INDEX mirror_number ON mirror (number);
  CREATE TABLE own_writes (
    item_id TEXT NOT NULL,
    role TEXT NOT NULL,
    value TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (item_id, role, value)
  );
`;

/** How long a value the dispatcher wrote is recognised when its echo arrives out of order. */
export const OWN_WRITE_MEMORY_MS = 60 * 60 * 1000;

export class BoardMirror {
  readonly #sql: Sql;
  #cache: Map<string, BoardItem> | null = null;
  /** Grows on every change but the dispatcher's own writes, so a pass can tell whether the
   * board moved under it while it awaited GitHub. */
  #version = 0;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  get version(): number {
    return this.#version;
  }

  #items(): Map<string, BoardItem> {
    if (this.#cache === null) {
      const rows = this.#sql.exec<{ item: string }>("SELECT item FROM mirror").toArray();
      // Written by `#write` from a BoardItem in this same object.
      this.#cache = new Map(
        rows.map((row) => {
          const item = JSON.parse(row.item) as BoardItem;
          return [item.itemId, item];
        }),
      );
    }
    return this.#cache;
  }

  count(): number {
    return this.#items().size;
  }

  items(): BoardItem[] {
    return [...this.#items().values()];
  }

  get(itemId: string): BoardItem | null {
    return this.#items().get(itemId) ?? null;
  }

  byContentId(contentId: string): BoardItem | null {
    for (const item of this.#items().values()) if (item.contentId === contentId) return item;
    return null;
  }

  /** The issue (or PR) with this number in the repo; numbers are shared by issues and PRs. */
  byNumber(number: number): BoardItem | null {
    for (const item of this.#items().values()) if (item.number === number) return item;
    return null;
  }

  /** A full read of the repo's items: what was read replaces everything. */
  replaceAll(items: readonly BoardItem[], now: number): void {
    this.#sql.exec("DELETE FROM mirror");
    this.#cache = new Map();
    for (const item of items) this.#write(item, now);
    this.#version += 1;
  }

  upsert(item: BoardItem, now: number): void {
    this.#write(item, now);
    this.#version += 1;
  }

  remove(itemId: string): BoardItem | null {
    const existing = this.get(itemId);
    if (existing === null) return null;
    this.#sql.exec("DELETE FROM mirror WHERE item_id = ?", itemId);
    this.#items().delete(itemId);
    this.#sql.exec("DELETE FROM own_writes WHERE item_id = ?", itemId);
    this.#version += 1;
    return existing;
  }

  /** Applies `change` to one item; returns the new item, or null when the item is unknown. */
  update(
    itemId: string,
    change: (item: BoardItem) => BoardItem,
    now: number,
    options: { own?: boolean } = {},
  ): BoardItem | null {
    const current = this.get(itemId);
    if (current === null) return null;
    const next = change(current);
    this.#write(next, now);
    if (options.own !== true) this.#version += 1;
    return next;
  }

  /**
   * Field values the dispatcher wrote: applied to the mirror at once (so their echoes find
   * nothing new) and remembered for a while (so a late echo of an older write is known).
   */
  applyOwnWrite(
    itemId: string,
    values: Partial<Record<FieldRole, string | null>>,
    updatedAt: string | null,
    now: number,
  ): BoardItem | null {
    for (const [role, value] of Object.entries(values)) {
      this.#sql.exec(
        "INSERT OR REPLACE INTO own_writes (item_id, role, value, at) VALUES (?, ?, ?, ?)",
        itemId,
        role,
        value ?? "",
        now,
      );
    }
    return this.update(
      itemId,
      (item) => ({
        ...item,
        fields: { ...item.fields, ...values },
        updatedAt: laterStamp(item.updatedAt, updatedAt),
      }),
      now,
      { own: true },
    );
  }

  /** Whether the dispatcher wrote `value` into this field of this item since `since`. */
  wroteRecently(itemId: string, role: FieldRole, value: string | null, since: number): boolean {
    return (
      this.#sql
        .exec(
          "SELECT 1 FROM own_writes WHERE item_id = ? AND role = ? AND value = ? AND at >= ?",
          itemId,
          role,
          value ?? "",
          since,
        )
        .toArray().length > 0
    );
  }

  pruneOwnWrites(before: number): void {
    this.#sql.exec("DELETE FROM own_writes WHERE at < ?", before);
  }

  #write(item: BoardItem, now: number): void {
    this.#sql.exec(
      `INSERT INTO mirror (item_id, content_id, number, updated_at, item, synced_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (item_id) DO UPDATE SET content_id = excluded.content_id, number = excluded.number,
         updated_at = excluded.updated_at, item = excluded.item, synced_at = excluded.synced_at`,
      item.itemId,
      item.contentId,
      item.number,
      item.updatedAt,
      JSON.stringify(item),
      now,
    );
    this.#items().set(item.itemId, item);
  }
}

/** The later of two ISO timestamps (a missing one loses). */
export function laterStamp(current: string, next: string | null | undefined): string {
  if (next === null || next === undefined || next === "") return current;
  return Date.parse(next) > Date.parse(current) || Number.isNaN(Date.parse(current)) ? next : current;
}
