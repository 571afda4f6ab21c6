/**
 * Makes a run's git worktree from a clean base: refuses a dirty clone, an unpushed base or a
 * base name git would not take, fetches, and adds `<runFolder>/<runId>/worktree` on
 * `subfeature/task/<issue>-<slug>` from `origin/<base>`. When an earlier attempt's worktree in
 * the run folder still holds the branch (its run was interrupted), the run continues in it,
 * work kept. Also removes clean worktrees of finished runs (never dirty ones; branches stay).
 * Used by run-lifecycle.ts and daemon.ts.
 */
import { realpathSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { git, gitLines } from "./git.ts";

/** An earlier attempt's worktree the run continues in, and what that attempt left in it. */
export interface Resumed {
  commits: number;
  dirty: boolean;
}

export type PrepareResult =
  | { ok: true; branch: string; worktree: string; from: string; resumed: Resumed | null }
  | { ok: false; reason: string };

export interface PrepareInput {
  clonePath: string;
  baseBranch: string;
  /** The daemon's run folder: every worktree it makes or resumes is inside it. */
  runFolder: string;
  /** `<runFolder>/<runId>`. */
  runDir: string;
  issueNumber: number;
  title: string;
  /** The branch to continue (a rework of an open PR); else one is named from the issue. */
  branch?: string | null;
  /** Worktrees of this daemon's live runs: never resumed by another run. */
  busyWorktrees?: readonly string[];
}

/** Lowercase ASCII words joined by hyphens, at most 40 characters. */
export function slugify(title: string): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return slug === "" ? "task" : slug;
}

export function branchName(issueNumber: number, title: string): string {
  return `subfeature/task/${issueNumber}-${slugify(title)}`;
}

// git takes locks on refs and the index; two runs preparing in one clone must not race.
const queues = new Map<string, Promise<unknown>>();
function serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(work, work);
  queues.set(
    key,
    next.catch(() => undefined),
  );
  return next;
}

export function prepareWorktree(input: PrepareInput): Promise<PrepareResult> {
  return serialized(path.resolve(input.clonePath), () => prepare(input));
}

/** The absolute path with symlinks resolved as far as it exists (the rest appended as is). */
function realPath(p: string): string {
  let existing = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(existing), ...rest);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return path.resolve(p);
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

/** Whether `child` is strictly inside `parent`, symlinks resolved. */
export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(realPath(parent), realPath(child));
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}

async function prepare(input: PrepareInput): Promise<PrepareResult> {
  const { clonePath, baseBranch } = input;
  // The Worker names the base; only a name git takes as a branch may reach a ref or argument.
  // (A NUL would not even reach git: execa refuses such an argument by throwing.)
  const valid =
    baseBranch.startsWith("-") || /\p{Cc}/u.test(baseBranch)
      ? null
      : await git(clonePath, ["check-ref-format", "--branch", baseBranch]);
  if (valid === null || !valid.ok)
    return { ok: false, reason: `base branch ${JSON.stringify(baseBranch)} is not a valid branch name` };
  const worktree = path.join(input.runDir, "worktree");
  if (path.dirname(realPath(input.runDir)) !== realPath(input.runFolder))
    return { ok: false, reason: `run folder ${input.runDir} is not directly inside ${input.runFolder}` };
  const status = await git(clonePath, ["status", "--porcelain"]);
  if (!status.ok) return { ok: false, reason: `cannot read git status of ${clonePath}: ${status.stderr}` };
  const changes = status.stdout.split("\n").filter((line) => line.trim() !== "");
  if (changes.length > 0) {
    return {
      ok: false,
      reason: `base is dirty: ${changes.length} uncommitted change(s) in ${clonePath} (e.g. ${changes[0]?.trim()}); commit or stash them and push ${baseBranch} first`,
    };
  }
  const fetch = await git(clonePath, ["fetch", "--quiet", "origin"]);
  if (!fetch.ok) return { ok: false, reason: `git fetch origin failed: ${fetch.stderr}` };
  const remoteBase = `origin/${baseBranch}`;
  if (
    !(await git(clonePath, ["rev-parse", "--verify", "--quiet", `refs/remotes/${remoteBase}^{commit}`])).ok
  ) {
    return { ok: false, reason: `base branch ${remoteBase} does not exist` };
  }
  if ((await git(clonePath, ["rev-parse", "--verify", "--quiet", `refs/heads/${baseBranch}`])).ok) {
    const ahead = await gitLines(clonePath, ["rev-list", `${remoteBase}..refs/heads/${baseBranch}`]);
    if (ahead === null) return { ok: false, reason: `cannot compare ${baseBranch} with ${remoteBase}` };
    if (ahead.length > 0) {
      return {
        ok: false,
        reason: `base is not pushed: ${baseBranch} is ${ahead.length} commit(s) ahead of ${remoteBase}; push it first`,
      };
    }
  }

  const named = input.branch ?? null;
  if (named !== null) {
    const ok =
      !named.startsWith("-") &&
      !/\p{Cc}/u.test(named) &&
      (await git(clonePath, ["check-ref-format", "--branch", named])).ok;
    if (!ok) return { ok: false, reason: `branch ${JSON.stringify(named)} is not a valid branch name` };
  }
  const branch = named ?? branchName(input.issueNumber, input.title);
  await mkdir(input.runDir, { recursive: true });
  let args: string[];
  let from: string;
  if ((await git(clonePath, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`])).ok) {
    // An earlier attempt left the branch: continue on it rather than throw its commits away.
    // Forget worktrees whose folder is gone, so only real ones can hold the branch.
    await git(clonePath, ["worktree", "prune"]);
    const holder = await worktreeHolding(clonePath, branch);
    if (holder !== null) return resume(input, branch, holder, remoteBase);
    args = ["worktree", "add", worktree, branch];
    from = branch;
  } else if (
    (await git(clonePath, ["rev-parse", "--verify", "--quiet", `refs/remotes/origin/${branch}`])).ok
  ) {
    args = ["worktree", "add", "-b", branch, worktree, `origin/${branch}`];
    from = `origin/${branch}`;
  } else {
    args = ["worktree", "add", "-b", branch, worktree, remoteBase];
    from = remoteBase;
  }
  const add = await git(clonePath, args);
  if (!add.ok) return { ok: false, reason: `git worktree add failed: ${add.stderr}` };
  return { ok: true, branch, worktree, from, resumed: null };
}

/**
 * The branch is checked out in `holder`. An earlier attempt's worktree in our run folder, no
 * longer in use, is where this run continues (its uncommitted work is the item's, never
 * deleted); any other worktree is someone's own, and the run is refused.
 */
async function resume(
  input: PrepareInput,
  branch: string,
  holder: string,
  remoteBase: string,
): Promise<PrepareResult> {
  const busy = (input.busyWorktrees ?? []).some((w) => path.resolve(w) === path.resolve(holder));
  if (busy || !isInside(input.runFolder, holder))
    return {
      ok: false,
      reason: `branch ${branch} is checked out in ${holder}${busy ? " by a live run" : ""}; finish or remove that worktree first`,
    };
  const status = await git(holder, ["status", "--porcelain"]);
  const commits = await gitLines(holder, ["rev-list", `${remoteBase}..HEAD`]);
  if (!status.ok || commits === null)
    return { ok: false, reason: `cannot read the earlier attempt's worktree ${holder}` };
  return {
    ok: true,
    branch,
    worktree: holder,
    from: branch,
    resumed: { commits: commits.length, dirty: status.stdout.trim() !== "" },
  };
}

async function worktreeHolding(clonePath: string, branch: string): Promise<string | null> {
  const lines = (await gitLines(clonePath, ["worktree", "list", "--porcelain"])) ?? [];
  let current: string | null = null;
  for (const line of lines) {
    if (line.startsWith("worktree ")) current = line.slice("worktree ".length);
    else if (line === `branch refs/heads/${branch}`) return current;
  }
  return null;
}

export type CleanupResult = { removed: true } | { removed: false; reason: string };

/** Removes a finished run's worktree if, and only if, it holds no uncommitted work. */
export async function removeCleanWorktree(clonePath: string, worktree: string): Promise<CleanupResult> {
  const status = await git(worktree, ["status", "--porcelain"]);
  if (!status.ok) return { removed: false, reason: `cannot read status: ${status.stderr}` };
  if (status.stdout.trim() !== "") return { removed: false, reason: "worktree holds uncommitted work" };
  return serialized(path.resolve(clonePath), async () => {
    // No --force: git itself refuses if anything changed since the check above.
    const remove = await git(clonePath, ["worktree", "remove", worktree]);
    return remove.ok ? { removed: true } : { removed: false, reason: remove.stderr };
  });
}
