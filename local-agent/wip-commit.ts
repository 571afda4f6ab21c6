/**
 * Saves an agent's unfinished work on its branch when a run is checkpointed or stopped: a WIP
 * commit of whatever the agent left uncommitted (hooks skipped: a stop must not hang on them),
 * and a push of the branch so the requeued attempt, or a person, can pick it up. Used by
 * run-lifecycle.ts.
 */
import { git } from "./git.ts";

export type WipCommit = { ok: true; sha: string | null } | { ok: false; reason: string };

/** Commits everything uncommitted in the worktree; `sha` is null when there was nothing to commit. */
export async function commitWip(
  worktree: string,
  message: string,
  identity: { name: string | null; email: string | null },
): Promise<WipCommit> {
  const status = await git(worktree, ["status", "--porcelain"]);
  if (!status.ok) return { ok: false, reason: `cannot read git status: ${status.stderr}` };
  if (status.stdout.trim() === "") return { ok: true, sha: null };
  const add = await git(worktree, ["add", "-A"]);
  if (!add.ok) return { ok: false, reason: `git add failed: ${add.stderr}` };
  // The clone's identity is used when it has one; else a daemon identity, so the commit never fails for it.
  const who = [
    ...(identity.name === null ? ["-c", "user.name=Worker Factory"] : []),
    ...(identity.email === null ? ["-c", "user.email=worker-factory@localhost"] : []),
  ];
  const commit = await git(worktree, [...who, "commit", "--no-verify", "-q", "-m", message]);
  if (!commit.ok) return { ok: false, reason: `git commit failed: ${commit.stderr}` };
  const head = await git(worktree, ["rev-parse", "HEAD"]);
  return head.ok ? { ok: true, sha: head.stdout.trim() } : { ok: false, reason: head.stderr };
}

export type Push = { ok: true } | { ok: false; reason: string };

export async function pushBranch(worktree: string, branch: string, timeoutMs = 120_000): Promise<Push> {
  const push = await git(worktree, ["push", "-q", "-u", "origin", `HEAD:refs/heads/${branch}`], timeoutMs);
  return push.ok ? { ok: true } : { ok: false, reason: `git push failed: ${push.stderr}` };
}
