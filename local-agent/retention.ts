/**
 * The retention policy for run folders (`<runFolder>/<runId>/`: worktree, prompt, agent log,
 * tool home): a finished run's folder goes once it is older than `keepDays`, or once
 * `keepRuns` newer folders exist. A worktree with uncommitted work is never deleted, nor one
 * whose state cannot be read; live runs are never touched. cli.ts sweeps at start and hourly.
 */
import { existsSync } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { git } from "./git.ts";
import type { Logger } from "./logger.ts";
import { removeCleanWorktree } from "./prepare-worktree.ts";

export interface RetentionPolicy {
  keepRuns: number;
  keepDays: number;
}

export interface SweepResult {
  removed: string[];
  kept: { folder: string; reason: string }[];
}

interface RunFolder {
  folder: string;
  name: string;
  touched: number;
}

/** When a run last wrote anything we know of: its log, prompt, or the folder itself. */
async function lastTouched(folder: string): Promise<number> {
  const times = await Promise.all(
    ["agent.log", "prompt.md", "."].map(async (name) => {
      try {
        return (await stat(path.join(folder, name))).mtimeMs;
      } catch {
        return 0;
      }
    }),
  );
  return Math.max(...times);
}

export async function sweepRunFolders(options: {
  runFolder: string;
  clonePath: string;
  policy: RetentionPolicy;
  /** Folder names of runs still in flight (live, or not yet reported). */
  live: ReadonlySet<string>;
  logger: Logger;
  now?: number;
}): Promise<SweepResult> {
  const { runFolder, policy, logger } = options;
  const now = options.now ?? Date.now();
  const result: SweepResult = { removed: [], kept: [] };
  if (!existsSync(runFolder)) return result;
  const entries = await readdir(runFolder, { withFileTypes: true });
  const folders: RunFolder[] = await Promise.all(
    entries
      .filter((entry) => entry.isDirectory() && !options.live.has(entry.name))
      .map(async (entry) => {
        const folder = path.join(runFolder, entry.name);
        return { folder, name: entry.name, touched: await lastTouched(folder) };
      }),
  );
  folders.sort((a, b) => b.touched - a.touched);
  const maxAge = policy.keepDays * 24 * 60 * 60 * 1000;
  const expired = folders.filter((run, index) => index >= policy.keepRuns || now - run.touched > maxAge);
  let removedWorktree = false;
  for (const run of expired) {
    const worktree = path.join(run.folder, "worktree");
    if (existsSync(worktree)) {
      const status = await git(worktree, ["status", "--porcelain"]);
      if (!status.ok) {
        result.kept.push({
          folder: run.folder,
          reason: `cannot read its worktree's status: ${status.stderr}`,
        });
        continue;
      }
      if (status.stdout.trim() !== "") {
        result.kept.push({ folder: run.folder, reason: "its worktree holds uncommitted work" });
        continue;
      }
      const removed = await removeCleanWorktree(options.clonePath, worktree);
      if (!removed.removed) {
        result.kept.push({ folder: run.folder, reason: `git worktree remove refused: ${removed.reason}` });
        continue;
      }
      removedWorktree = true;
    }
    await rm(run.folder, { recursive: true, force: true });
    result.removed.push(run.folder);
  }
  // A folder deleted by hand leaves a stale worktree entry in the clone; prune it too.
  if (removedWorktree || expired.length > 0) await git(options.clonePath, ["worktree", "prune"]);
  for (const kept of result.kept) logger.warn("run_folder_kept", kept);
  if (result.removed.length > 0) {
    logger.info("run_folders_removed", { count: result.removed.length, kept: result.kept.length, policy });
  }
  return result;
}
