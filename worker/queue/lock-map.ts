/**
 * The repo's lock map as the operator sees it: every key held now, the item holding it
 * (number, title, link) and how it holds it — a run of the dispatcher, a person's claim on
 * the board, or only its Status. Derived from the mirror and the runs; used by /api/state.
 */
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import { isActive } from "../board/gate.ts";
import { formatLockKey, heldLocks } from "../board/locks.ts";
import type { BoardMirror } from "./board-mirror.ts";
import { isOwnClaim } from "./gate-pass.ts";
import type { Runs } from "./runs.ts";

export interface HeldLock {
  key: string;
  number: number | null;
  title: string;
  url: string | null;
  /** `run`: a run of the dispatcher. `person`: someone's claim on the board. `status`: an active Status alone. */
  holder: "run" | "person" | "status";
  runId: string | null;
  claimOwner: string | null;
  status: string | null;
}

export function lockMap(mirror: BoardMirror, runs: Runs, config: WorkspaceConfig, now: number): HeldLock[] {
  const live = new Map(runs.live().map((run) => [run.number, run]));
  const locks: HeldLock[] = [];
  for (const item of mirror.items()) {
    if (!isActive(item, config, now)) continue;
    const run = item.number === null ? undefined : live.get(item.number);
    const owner = item.fields.claimOwner?.trim() || null;
    const holder = run !== undefined ? "run" : owner !== null && !isOwnClaim(owner) ? "person" : "status";
    for (const key of heldLocks(item, config)) {
      locks.push({
        key: formatLockKey(key),
        number: item.number,
        title: item.title,
        url: item.url,
        holder,
        runId: run?.runId ?? null,
        claimOwner: owner,
        status: item.fields.status,
      });
    }
  }
  return locks.sort((a, b) => a.key.localeCompare(b.key) || (a.number ?? 0) - (b.number ?? 0));
}
