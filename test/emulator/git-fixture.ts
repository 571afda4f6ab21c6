/**
 * Real git for the emulator's git-backed tests: a temporary folder of bare repositories (the
 * emulator's `gitRoot`), a clone to work in, commits and pushes with the git CLI as the
 * local-agent daemon makes them, and a small seed for one repo set up for the pull-request loop.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { SeedInput } from "../../emulator/seed/seed-schema.ts";

const env = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Agent",
  GIT_AUTHOR_EMAIL: "agent@example.com",
  GIT_COMMITTER_NAME: "Agent",
  GIT_COMMITTER_EMAIL: "agent@example.com",
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env, encoding: "utf8" }).trim();
}

export interface GitFixture {
  root: string;
  /** `<root>/<name>.git`. */
  bare(name: string): string;
  /** A working clone of `<root>/<name>.git`. */
  clone(name: string): string;
  cleanup(): void;
}

export function gitFixture(): GitFixture {
  const base = mkdtempSync(join(tmpdir(), "emulator-git-"));
  const root = join(base, "repos");
  mkdirSync(root);
  let clones = 0;
  return {
    root,
    bare: (name) => join(root, `${name}.git`),
    clone: (name) => {
      const work = join(base, `work-${++clones}`);
      execFileSync("git", ["clone", "--quiet", join(root, `${name}.git`), work], { env });
      return work;
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

/**
 * Pushes from a clone. Asynchronous on purpose: the bare repo's post-receive hook calls the
 * emulator in this very process, which must stay free to answer while git waits for the hook.
 */
export async function push(work: string, ...args: string[]): Promise<void> {
  await promisify(execFile)("git", ["push", "--quiet", "origin", ...args], { cwd: work, env });
}

/** Writes files in a clone, commits them on `branch` (created from HEAD if new) and pushes it. */
export async function commitAndPush(
  work: string,
  branch: string,
  files: Record<string, string>,
  message: string,
): Promise<string> {
  const current = git(work, "rev-parse", "--abbrev-ref", "HEAD");
  if (current !== branch) {
    const exists = git(work, "branch", "--list", branch) !== "";
    git(work, "checkout", "--quiet", ...(exists ? [branch] : ["-b", branch]));
  }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), content);
  }
  git(work, "add", "--all");
  git(work, "commit", "--quiet", "-m", message);
  await push(work, branch);
  return git(work, "rev-parse", "HEAD");
}

/** One org, one repo set up as a team would set it up for the loop, two issues. */
export function loopSeed(overrides: Partial<NonNullable<SeedInput["repos"]>[number]> = {}): SeedInput {
  return {
    orgs: [{ login: "acme" }],
    repos: [
      {
        name: "acme/widgets",
        settings: { autoMergeAllowed: true, deleteBranchOnMerge: true },
        protectedBranches: [{ pattern: "main", requiredStatusChecks: ["ci"] }],
        collaborators: ["alice", "worker-factory-bot"],
        copilot: true,
        issues: [
          { number: 1, title: "Add a widget" },
          { number: 2, title: "Document widgets" },
        ],
        ...overrides,
      },
    ],
  };
}
