/**
 * The reconciliation's light scan, once for the whole workspace: ids, `updatedAt` and state of
 * every item not in a done Status (about one point per 100 items), split by repo through the
 * supervisor's routing index; items no index knows are read once to learn their repo. It runs
 * at most every `reconcile.scanMinutes`, and less often on a board so large that scans would
 * spend more than `reconcile.scanPointsPerHour`. Plain module, used by the supervisor.
 */
import type { BoardClient, ItemStamp } from "../board/board-client.ts";
import type { BoardItem } from "../board/board-item.ts";
import { findRepo, type WorkspaceConfig } from "../config/workspace-config.ts";
import type { Meta } from "../queue/meta.ts";
import { notDoneFilter } from "../queue/reconcile-board.ts";
import type { Indexes } from "./indexes.ts";

/** The index's repo for items outside the workspace (other repos, drafts), so they are read once. */
export const OUTSIDE = "";

export interface RepoScan {
  stamps: ItemStamp[];
  /** Items read because no index knew them. */
  found: BoardItem[];
}

/** How long between scans: the configured minimum, or longer when the board is large. */
export function scanIntervalMs(config: WorkspaceConfig, pages: number): number {
  const minimum = config.reconcile.scanMinutes * 60_000;
  return Math.max(minimum, Math.ceil((pages * 3_600_000) / config.reconcile.scanPointsPerHour));
}

export function scanDue(values: Meta, config: WorkspaceConfig, now: number, force: boolean): boolean {
  const last = values.getNumber("scan_at");
  if (force || last === null) return true;
  return now - last >= scanIntervalMs(config, values.getNumber("scan_pages") ?? 1);
}

export async function scanWorkspace(
  board: Pick<BoardClient, "scanItems" | "getItems">,
  indexes: Indexes,
  config: WorkspaceConfig,
  values: Meta,
  now: number,
): Promise<Map<string, RepoScan>> {
  const stamps = await board.scanItems({ query: notDoneFilter(config) });
  const byRepo = new Map<string, RepoScan>(
    config.repos.map((repo) => [repo.name, { stamps: [], found: [] }]),
  );
  const unknown: string[] = [];
  for (const stamp of stamps) {
    const repo = indexes.repoOf(stamp.itemId);
    if (repo === null) unknown.push(stamp.itemId);
    else byRepo.get(repo)?.stamps.push(stamp);
  }
  if (unknown.length > 0) {
    for (const item of await board.getItems(unknown)) {
      const repo = item.repo === null ? undefined : findRepo(config, item.repo);
      if (repo === undefined) {
        indexes.apply(OUTSIDE, {
          replace: false,
          items: [{ itemId: item.itemId, contentId: item.contentId, number: item.number }],
          removed: [],
          waits: [],
        });
        continue;
      }
      byRepo.get(repo.name)?.found.push(item);
    }
  }
  values.set("scan_at", String(now));
  values.set("scan_pages", String(Math.max(1, Math.ceil(stamps.length / 100))));
  return byRepo;
}
