/**
 * Run-folder retention on a real clone with real worktrees: old and surplus folders go,
 * live runs stay, and a worktree with uncommitted work is never deleted.
 */
import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger, type LogRecord } from "../../local-agent/logger.ts";
import { sweepRunFolders } from "../../local-agent/retention.ts";
import { git, makeRepos, type Repos } from "./support/git-repos.ts";

let repos: Repos;
afterEach(() => {
  if (repos) rmSync(repos.root, { recursive: true, force: true });
});

const DAY = 24 * 60 * 60 * 1000;

/** A finished run's folder with a worktree on its own branch, last touched `ageDays` ago. */
function runFolder(name: string, ageDays: number, dirty = false): string {
  const folder = path.join(repos.runFolder, name);
  mkdirSync(folder, { recursive: true });
  git(
    repos.clone,
    "worktree",
    "add",
    "-q",
    "-b",
    `subfeature/task/${name}`,
    path.join(folder, "worktree"),
    "origin/main",
  );
  writeFileSync(path.join(folder, "agent.log"), "done\n");
  if (dirty) writeFileSync(path.join(folder, "worktree", "unsaved.txt"), "work in progress\n");
  const when = (Date.now() - ageDays * DAY) / 1000;
  for (const file of ["agent.log", "."]) utimesSync(path.join(folder, file), when, when);
  return folder;
}

describe("run-folder retention", () => {
  it("removes folders past the age and beyond the count, keeps live runs and uncommitted work", async () => {
    repos = makeRepos();
    const recent = [runFolder("r5", 0), runFolder("r4", 1), runFolder("r3", 2)];
    const old = runFolder("r2", 30);
    const dirty = runFolder("r1", 40, true);
    const live = runFolder("r0", 50);
    const records: LogRecord[] = [];
    const result = await sweepRunFolders({
      runFolder: repos.runFolder,
      clonePath: repos.clone,
      policy: { keepRuns: 2, keepDays: 14 },
      live: new Set(["r0"]),
      logger: createLogger((record) => records.push(record)),
    });
    expect(result.removed.sort()).toEqual([recent[2], old].sort());
    expect(result.kept).toEqual([{ folder: dirty, reason: "its worktree holds uncommitted work" }]);
    for (const folder of [recent[0]!, recent[1]!, dirty, live]) expect(existsSync(folder)).toBe(true);
    expect(existsSync(path.join(dirty, "worktree", "unsaved.txt"))).toBe(true);
    const worktrees = git(repos.clone, "worktree", "list", "--porcelain");
    expect(worktrees).not.toContain(path.join(old, "worktree"));
    expect(worktrees).toContain(path.join(dirty, "worktree"));
    // The branch of a removed run stays: its commits are the run's result.
    expect(git(repos.clone, "branch", "--list", "subfeature/task/r2")).toContain("subfeature/task/r2");
    expect(records.map((record) => record.event)).toEqual(["run_folder_kept", "run_folders_removed"]);
  });
});
