/**
 * Saves an agent's unfinished work on its branch when a run is checkpointed or stopped: a WIP
 * commit of whatever the agent left uncommitted (hooks skipped: a stop must not hang on them),
 * and a push of the branch so the requeued attempt, or a person, can pick it up. Used by
 * run-lifecycle.ts.
 */
import { git } from "./git.ts";
import { appendCheckpoint } from "./prompt-file.ts";
import { inspectWorktree } from "./report.ts";

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

export interface WorkPlace {
  worktree: string;
  branch: string;
  baseBranch: string;
  runId: string;
  identity: { name: string | null; email: string | null };
}

/**
 * Before a checkpoint's restart: a WIP commit of what the agent left, and a checkpoint note per
 * replan in the prompt file. Returns what it did, to append to the steers' answers.
 */
export async function checkpointWork(
  place: WorkPlace,
  promptFile: string,
  replans: readonly { reason: string; text: string }[],
): Promise<string> {
  const wip = await commitWip(
    place.worktree,
    `wip: checkpoint before replanning (run ${place.runId})`,
    place.identity,
  );
  const repo = await inspectWorktree(place.worktree, place.baseBranch, place.branch);
  for (const replan of replans)
    appendCheckpoint(promptFile, { ...replan, commits: repo.commits, dirty: repo.dirty });
  if (!wip.ok) return `; the WIP commit failed: ${wip.reason}`;
  return wip.sha === null ? "" : `; WIP commit ${wip.sha.slice(0, 12)}`;
}

/** A stop that keeps the work: commit what is uncommitted, push the branch; says what it did. */
export async function saveStoppedWork(place: WorkPlace, stopReason: string): Promise<string> {
  const notes: string[] = [];
  const message = `wip: ${stopReason} (run ${place.runId})`.slice(0, 200);
  const wip = await commitWip(place.worktree, message, place.identity);
  if (!wip.ok) notes.push(`the WIP commit failed: ${wip.reason}`);
  else if (wip.sha !== null) notes.push(`WIP commit ${wip.sha.slice(0, 12)}`);
  const repo = await inspectWorktree(place.worktree, place.baseBranch, place.branch);
  if (repo.commits.length > 0 && repo.unpushed !== 0) {
    const push = await pushBranch(place.worktree, place.branch);
    notes.push(push.ok ? `pushed ${place.branch}` : push.reason);
  }
  return notes.length === 0 ? "stopped; nothing to commit or push" : `stopped; ${notes.join("; ")}`;
}
