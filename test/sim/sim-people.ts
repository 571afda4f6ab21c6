/**
 * People on the board, as the emulator's admin API lets them act (each edit sends GitHub's
 * webhook): make items Ready or take them back, change Area, Needed Files and Depends On,
 * claim an item for their IDE after checking the board for overlapping locks (as the seed
 * tells them to) and release it later, move a running item's Status, close issues, add new
 * ones. Every choice comes from the people's seeded stream.
 */
import { isActive, isFinished } from "../../worker/board/gate.ts";
import { findKeyConflicts, formatLockKeys, heldLocks, requestedLocks } from "../../worker/board/locks.ts";
import { findRepo } from "../../worker/config/workspace-config.ts";
import type { BoardItem } from "../../worker/board/board-item.ts";
import { boardTruth } from "./board-truth.ts";
import type { EmulatorStore } from "../../emulator/store/emulator-store.ts";
import type { SimContext } from "./sim-context.ts";

export const PEOPLE = ["alice", "bob"] as const;

export class SimPeople {
  readonly #ctx: SimContext;
  readonly #store: EmulatorStore;
  /** People's claims not released yet: `owner/repo#n` → who. */
  readonly claims = new Map<string, string>();
  edits = 0;
  #issues = 1000;

  constructor(ctx: SimContext, store: EmulatorStore) {
    this.#ctx = ctx;
    this.#store = store;
  }

  async #admin(path: string, body: Record<string, unknown>): Promise<number> {
    const response = await fetch(`${this.#ctx.emulatorUrl}/_emulator/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    await response.text();
    return response.status;
  }

  async #set(item: BoardItem, field: string, value: string | null, actor: string): Promise<void> {
    const ref = `${item.repo ?? ""}#${item.number ?? 0}`;
    this.edits += 1;
    this.#ctx.log.add("person_edit", { actor, item: ref, field, value });
    await this.#admin("field-value", { item: ref, field, value, actor });
  }

  #board(): BoardItem[] {
    return boardTruth(this.#store, this.#ctx.config).filter(
      (item) => item.state === "OPEN" && !item.isArchived,
    );
  }

  #status(items: BoardItem[], ...statuses: string[]): BoardItem[] {
    return items.filter((item) => statuses.includes(item.fields.status ?? ""));
  }

  /** One person's action, chosen by weight; returns what was done (or null when nothing fit). */
  async act(): Promise<string | null> {
    const rng = this.#ctx.rng.people;
    const board = this.#board();
    const who = rng.pick(PEOPLE);
    const kind = rng.weighted({
      ready: 30,
      unready: 6,
      area: 10,
      files: 6,
      depends: 8,
      claim: 8,
      yank: 5,
      close: 4,
      add: 6,
    });
    const repoOf = (item: BoardItem) => findRepo(this.#ctx.config, item.repo ?? "");
    // People re-scope waiting work, not work under way (its keys were fixed at its claim).
    const idle = board.filter((item) => !isActive(item, this.#ctx.config, this.#ctx.scheduler.now));
    switch (kind) {
      case "ready": {
        const candidates = this.#status(board, "Backlog", "Triage", "In Review");
        if (candidates.length === 0) return null;
        await this.#set(rng.pick(candidates), "Status", "Ready", who);
        return kind;
      }
      case "unready": {
        const candidates = this.#status(board, "Ready");
        if (candidates.length === 0) return null;
        await this.#set(rng.pick(candidates), "Status", "Backlog", who);
        return kind;
      }
      case "area": {
        if (idle.length === 0) return null;
        const item = rng.pick(idle);
        const areas = repoOf(item)?.areas ?? [];
        if (areas.length === 0) return null;
        await this.#set(item, "Area", rng.pick(areas).name, who);
        return kind;
      }
      case "files": {
        if (idle.length === 0) return null;
        const item = rng.pick(idle);
        const area = repoOf(item)?.areas.find((a) => a.name === item.fields.area);
        const base = area?.paths[0]?.replace(/\*.*$/, "") ?? "src/";
        const files = [
          `${base}${rng.pick(["a", "b", "c"])}.ts`,
          ...(rng.chance(0.5) ? [`${base}${rng.pick(["d", "e"])}/**`] : []),
        ];
        await this.#set(item, "Lock Scope", "files", who);
        await this.#set(item, "Needed Files", files.join(", "), who);
        return kind;
      }
      case "depends": {
        if (board.length === 0) return null;
        const item = rng.pick(board);
        const other = rng.pick(board);
        const value =
          rng.chance(0.25) || other.itemId === item.itemId
            ? null
            : other.repo === item.repo
              ? `#${other.number ?? 0}`
              : `${other.repo ?? ""}#${other.number ?? 0}`;
        await this.#set(item, "Depends On", value, who);
        return kind;
      }
      case "claim":
        return (await this.#claim(board, who)) ? kind : null;
      case "yank": {
        const running = this.#status(board, "In Progress").filter((item) =>
          (item.fields.claimOwner ?? "").startsWith("worker-factory/"),
        );
        if (running.length === 0) return null;
        await this.#set(rng.pick(running), "Status", rng.pick(["Backlog", "Done", "Ready"]), who);
        return kind;
      }
      case "close": {
        const candidates = board.filter((item) => !this.claims.has(`${item.repo}#${item.number}`));
        if (candidates.length === 0) return null;
        const item = rng.pick(candidates);
        this.edits += 1;
        this.#ctx.log.add("person_close", { actor: who, item: `${item.repo}#${item.number}` });
        await this.#admin("issues/close", { issue: `${item.repo}#${item.number}`, actor: who });
        return kind;
      }
      case "add": {
        const repo = rng.pick(this.#ctx.config.repos);
        const area = rng.pick(repo.areas);
        this.#issues += 1;
        this.edits += 1;
        this.#ctx.log.add("person_add", {
          actor: who,
          repo: repo.name,
          number: this.#issues,
          area: area.name,
        });
        await this.#admin("issues", {
          repo: repo.name,
          number: this.#issues,
          title: `new task ${this.#issues}`,
          actor: who,
          fields: {
            Status: "Ready",
            Area: area.name,
            "Lock Scope": "area",
            Priority: rng.pick(["P1", "P2"]),
            "Agent Mode": "cli",
          },
        });
        return kind;
      }
    }
  }

  /**
   * A person claims an item for their IDE, only if nothing active on the board overlaps it.
   * Backlog items only: a Ready item races the dispatcher's own claim, and with no
   * compare-and-set on Projects v2 the later of two writes to one item wins unseen (a limit of
   * the board, not something the dispatcher can detect), so the seed has people pick work the
   * dispatcher is not offered.
   */
  async #claim(board: BoardItem[], who: string): Promise<boolean> {
    const { ctx } = this;
    const now = ctx.scheduler.now;
    const active = board.filter((other) => isActive(other, ctx.config, now));
    const free = this.#status(board, "Backlog").flatMap((item) => {
      const requested = requestedLocks(item, findRepo(ctx.config, item.repo ?? ""));
      if (!requested.ok) return [];
      const overlaps = active.some(
        (other) =>
          other.itemId !== item.itemId &&
          findKeyConflicts(requested.keys, heldLocks(other, ctx.config), ctx.config).length > 0,
      );
      return overlaps ? [] : [{ item, keys: requested.keys }];
    });
    if (free.length === 0) return false;
    const { item, keys } = ctx.rng.people.pick(free);
    const ref = `${item.repo ?? ""}#${item.number ?? 0}`;
    this.claims.set(ref, who);
    ctx.log.add("person_claim", {
      actor: who,
      item: ref,
      repo: item.repo,
      keys: formatLockKeys(keys),
    });
    await this.#set(item, "Claim Owner", who, who);
    await this.#set(item, "Lease Expires", new Date(now + 3 * 3600_000).toISOString(), who);
    await this.#set(item, "Status", "In Progress", who);
    ctx.scheduler.after(ctx.rng.people.int(300_000, 3_000_000), `release ${ref}`, () => this.release(ref));
    return true;
  }

  /** The person is done: claim fields cleared, Status to Done or back to Ready. */
  async release(ref: string): Promise<void> {
    const who = this.claims.get(ref);
    if (who === undefined) return;
    this.claims.delete(ref);
    this.#ctx.log.add("person_release", { actor: who, item: ref });
    const item = boardTruth(this.#store, this.#ctx.config).find((i) => `${i.repo}#${i.number}` === ref);
    if (item === undefined || isFinished(item, this.#ctx.config)) return;
    await this.#set(item, "Status", this.#ctx.rng.people.chance(0.6) ? "Done" : "Ready", who);
    for (const field of ["Claim Owner", "Lease Expires", "Lock Key"]) await this.#set(item, field, null, who);
  }

  get ctx(): SimContext {
    return this.#ctx;
  }
}
