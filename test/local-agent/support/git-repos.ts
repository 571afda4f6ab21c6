/**
 * Real git repositories for daemon tests: a bare origin with one commit on `main` and a clone
 * of it with a local identity, in a fresh `fs.mkdtemp` folder.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface Repos {
  root: string;
  origin: string;
  clone: string;
  runFolder: string;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

export function makeRepos(): Repos {
  const root = mkdtempSync(path.join(tmpdir(), "wf-agent-"));
  const origin = path.join(root, "origin.git");
  const seed = path.join(root, "seed");
  const clone = path.join(root, "widgets");
  git(root, "init", "-q", "--bare", "-b", "main", origin);
  git(root, "init", "-q", "-b", "main", seed);
  git(seed, "config", "user.name", "Seeder");
  git(seed, "config", "user.email", "seeder@example.com");
  writeFileSync(path.join(seed, "README.md"), "# widgets\n");
  git(seed, "add", "README.md");
  git(seed, "commit", "-q", "-m", "chore: initial commit");
  git(seed, "push", "-q", origin, "main");
  git(root, "clone", "-q", origin, clone);
  git(clone, "config", "user.name", "Test Agent");
  git(clone, "config", "user.email", "agent@example.com");
  return { root, origin, clone, runFolder: path.join(root, "runs") };
}
