/**
 * Board changes steer a live run (seed "Steering Active Runs" and its FAQ on scope): when a
 * person changes a running item's Area, Lock Scope, Needed Files or Depends On, the run is
 * told to checkpoint and replan with the new scope, its lock following it; if the new scope
 * overlaps a lock another item holds, it is stopped and requeued with the seed's conflict
 * message. Each distinct scope is steered once. Plain module, used by the gate pass.
 */
import type { BoardItem } from "../board/board-item.ts";
import { dependencyRefs, type PreparedBoard } from "../board/gate.ts";
import {
  findKeyConflicts,
  formatLockKeys,
  parseLockKeys,
  parseNeededFiles,
  requestedLocks,
} from "../board/locks.ts";
import { issueRefKey, sameRepo } from "../board/issue-refs.ts";
import type { LoopDeps } from "./repo-loop.ts";
import type { Run } from "./runs.ts";
import type { Sql } from "./sql.ts";
import { steerRun } from "./steering.ts";

export const RUN_SCOPES_SCHEMA = `
  CREATE TABLE run_scopes (run_id TEXT PRIMARY KEY, scope TEXT NOT NULL);
`;

/** What of an item a run was dispatched with, that a person may change under it. */
export interface RunScope {
  area: string;
  lockScope: string;
  neededFiles: string[];
  dependsOn: string[];
}

export function scopeOf(item: BoardItem): RunScope {
  return {
    area: (item.fields.area ?? "").trim(),
    lockScope: (item.fields.lockScope ?? "").trim().toLowerCase(),
    neededFiles: parseNeededFiles(item.fields.neededFiles).sort(),
    dependsOn: dependencyRefs(item)
      .refs.map(({ ref }) => issueRefKey(ref))
      .sort(),
  };
}

export class RunScopes {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  get(runId: string): RunScope | null {
    const row = this.#sql
      .exec<{ scope: string }>("SELECT scope FROM run_scopes WHERE run_id = ?", runId)
      .toArray()[0];
    // Written by `set` from a RunScope in this same object.
    return row ? (JSON.parse(row.scope) as RunScope) : null;
  }

  set(runId: string, scope: RunScope): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO run_scopes (run_id, scope) VALUES (?, ?)",
      runId,
      JSON.stringify(scope),
    );
  }

  drop(runId: string): void {
    this.#sql.exec("DELETE FROM run_scopes WHERE run_id = ?", runId);
  }
}

const same = (a: RunScope, b: RunScope): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Compares the live run's item with the scope it runs under; steers it when a person changed
 * that scope on the board. Returns what happened, for the pass's verdict.
 */
export async function steerOnScopeChange(
  deps: LoopDeps & { scopes: RunScopes },
  run: Run,
  item: BoardItem,
  prepared: PreparedBoard,
): Promise<"unchanged" | "replanned" | "stopped"> {
  const dispatched = deps.scopes.get(run.runId);
  const now = scopeOf(item);
  if (dispatched === null) {
    deps.scopes.set(run.runId, now);
    return "unchanged";
  }
  if (same(dispatched, now)) return "unchanged";
  const sourceEventId = `scope-${run.runId}-${hashOf(JSON.stringify(now))}`;
  const requested = requestedLocks(item, deps.repo);
  if (!requested.ok) {
    steerRun(deps, {
      runId: run.runId,
      command: "stop_and_requeue",
      reason: requested.reason,
      sourceEventId,
      text: "",
    });
    deps.scopes.set(run.runId, now);
    return "stopped";
  }
  // Files granted in other areas (wf-scope) stay with the run; its own area follows the board.
  const kept = parseLockKeys(run.lockKeys, deps.repo.name).keys.filter(
    (key) => key.path !== null && key.area.toLowerCase() !== requested.area.name.toLowerCase(),
  );
  const keys = [...requested.keys, ...kept];
  const holder = prepared.active.find(
    ({ item: other, heldKeys }) =>
      other.itemId !== item.itemId &&
      sameRepo(other.repo, item.repo) &&
      findKeyConflicts(keys, heldKeys, deps.config).length > 0,
  );
  if (holder !== undefined) {
    const reason = `Lock conflict: Issue #${holder.item.number ?? "?"} currently holds overlapping lock key(s).`;
    steerRun(deps, { runId: run.runId, command: "stop_and_requeue", reason, sourceEventId, text: "" });
    deps.scopes.set(run.runId, now);
    return "stopped";
  }
  const lockKeys = formatLockKeys(keys);
  if (lockKeys !== run.lockKeys) {
    deps.runs.setLockKeys(run.runId, lockKeys);
    const written = await deps.board.updateFields("widen lock", item, { lockKey: lockKeys });
    deps.mirror.applyOwnWrite(item.itemId, { lockKey: lockKeys }, written.updatedAt, deps.now());
  }
  const text = [
    "A person changed this item's scope on the board while you were working.",
    `Area: ${now.area || "(none)"}; Lock Scope: ${now.lockScope || "(area default)"}; lock key(s) now held: ${lockKeys}.`,
    now.neededFiles.length > 0 ? `Needed Files: ${now.neededFiles.join(", ")}.` : "Needed Files: (none).",
    now.dependsOn.length > 0 ? `Depends On: ${now.dependsOn.join(", ")}.` : "Depends On: (none).",
    "Commit a checkpoint, then go on within this scope.",
  ].join("\n");
  steerRun(deps, {
    runId: run.runId,
    command: "checkpoint_and_replan",
    reason: "the item's scope changed on the board",
    sourceEventId,
    text,
  });
  deps.scopes.set(run.runId, now);
  return "replanned";
}

/** A short, stable hash (FNV-1a) for steering ids: equal scopes give equal ids. */
function hashOf(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}
