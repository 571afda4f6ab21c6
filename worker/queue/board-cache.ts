/**
 * The repo loop's copy of the board, kept fresh within GitHub's budget (DESIGN, "The GitHub
 * API budget"): a light scan (ids and `updatedAt`, about 1 point per 100 items) finds what
 * changed, and only those items are read in full, by id, in batches of 100. A full read
 * happens when the copy is empty (a new or evicted object) or older than `fullEveryMs`.
 * Items touched by events are invalidated, since an issue closing need not bump its
 * project item's `updatedAt`.
 */
import type { BoardItem } from "../board/board-item.ts";
import type { BoardPort } from "./board-port.ts";

export type CacheReader = Pick<BoardPort, "listItems" | "scanItems" | "getItems">;

export class BoardCache {
  readonly #fullEveryMs: number;
  readonly #query: string | undefined;
  #items = new Map<string, BoardItem>();
  #invalid = new Set<string>();
  #fullAt = 0;

  /** `query` narrows every read with Projects' filter syntax (e.g. `repo:owner/name`). */
  constructor(fullEveryMs: number, query?: string) {
    this.#fullEveryMs = fullEveryMs;
    this.#query = query;
  }

  /** Marks an item (by item id or content id) to be read in full on the next refresh. */
  invalidate(id: string): void {
    this.#invalid.add(id);
  }

  async read(board: CacheReader, now: number, options: { full?: boolean } = {}): Promise<BoardItem[]> {
    if (options.full || this.#items.size === 0 || now - this.#fullAt >= this.#fullEveryMs) {
      const items = await board.listItems(this.#filter());
      this.#items = new Map(items.map((item) => [item.itemId, item]));
      this.#invalid.clear();
      this.#fullAt = now;
      return items;
    }
    const stamps = await board.scanItems(this.#filter());
    const changed = stamps
      .filter((stamp) => {
        const cached = this.#items.get(stamp.itemId);
        return (
          cached === undefined ||
          cached.updatedAt !== stamp.updatedAt ||
          this.#invalid.has(stamp.itemId) ||
          (cached.contentId !== null && this.#invalid.has(cached.contentId))
        );
      })
      .map((stamp) => stamp.itemId);
    const fetched = new Map(
      (changed.length > 0 ? await board.getItems(changed) : []).map((item) => [item.itemId, item]),
    );
    const next = new Map<string, BoardItem>();
    for (const stamp of stamps) {
      const item = fetched.get(stamp.itemId) ?? this.#items.get(stamp.itemId);
      if (item !== undefined) next.set(stamp.itemId, item);
    }
    this.#items = next;
    this.#invalid.clear();
    return [...next.values()];
  }

  #filter(): { query?: string } {
    return this.#query === undefined ? {} : { query: this.#query };
  }
}
