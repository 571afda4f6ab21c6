/**
 * Judges how a run ended by the repository, not the exit code: commits on the run's branch
 * ahead of `origin/<base>`, a clean or dirty worktree, pushed or not, the PR URL the agent
 * printed. Produces the fields of the protocol's `run_finished`. Used by daemon.ts.
 */
import type { RunOutcome } from "../worker/protocol/messages.ts";
import { git, gitLines } from "./git.ts";
import type { AgentExit } from "./run-agent.ts";

export interface RepoState {
  /** Commit SHAs on HEAD not on `origin/<base>`, oldest first. */
  commits: string[];
  dirty: boolean;
  /** Commits not on `origin/<branch>` (all of them when the branch was never pushed); null if unknown. */
  unpushed: number | null;
}

export async function inspectWorktree(
  worktree: string,
  baseBranch: string,
  branch: string,
): Promise<RepoState> {
  const commits = (await gitLines(worktree, ["rev-list", "--reverse", `origin/${baseBranch}..HEAD`])) ?? [];
  const status = await git(worktree, ["status", "--porcelain"]);
  const dirty = !status.ok || status.stdout.trim() !== "";
  // Worktrees share refs with the clone, so an agent's `git push` updates origin/<branch> here.
  let unpushed: number | null;
  if ((await git(worktree, ["rev-parse", "--verify", "--quiet", `refs/remotes/origin/${branch}`])).ok) {
    unpushed = (await gitLines(worktree, ["rev-list", `origin/${branch}..HEAD`]))?.length ?? null;
  } else {
    unpushed = commits.length;
  }
  return { commits, dirty, unpushed };
}

export interface Verdict {
  outcome: RunOutcome;
  reason: string;
  exitCode: number | null;
}

export function judgeRun(exit: AgentExit, repo: RepoState, stopReason: string | null = null): Verdict {
  const notes: string[] = [];
  if (repo.commits.length > 0) notes.push(`${repo.commits.length} commit(s) on the branch`);
  if (repo.dirty) notes.push("worktree has uncommitted changes");
  if (repo.commits.length > 0 && repo.unpushed !== null && repo.unpushed > 0)
    notes.push(`${repo.unpushed} commit(s) not pushed`);
  const withNotes = (reason: string): string =>
    notes.length === 0 ? reason : `${reason} (${notes.join("; ")})`;
  switch (exit.kind) {
    case "stopped":
      return { outcome: "stopped", reason: withNotes(stopReason ?? "stopped"), exitCode: null };
    case "stalled":
      return {
        outcome: "stalled",
        reason: withNotes(`${exit.silence} for ${exit.afterSeconds}s (stalled)`),
        exitCode: null,
      };
    case "timed_out":
      return {
        outcome: "failed",
        reason: withNotes(`timed out after ${exit.afterSeconds}s`),
        exitCode: null,
      };
    case "spawn_failed":
      return { outcome: "failed", reason: `could not start the agent: ${exit.message}`, exitCode: null };
    case "signaled":
      return {
        outcome: "failed",
        reason: withNotes(
          `agent killed by ${exit.signal}${exit.lastStderrLine === null ? "" : `: ${exit.lastStderrLine}`}`,
        ),
        exitCode: null,
      };
    case "exited":
      if (exit.exitCode !== 0) {
        return {
          outcome: "failed",
          reason: withNotes(
            `agent exited ${exit.exitCode}${exit.lastStderrLine === null ? "" : `: ${exit.lastStderrLine}`}`,
          ),
          exitCode: exit.exitCode,
        };
      }
      if (repo.commits.length === 0) {
        const failure = exit.failure === undefined ? "" : `: ${exit.failure}`;
        return {
          outcome: "failed",
          reason: withNotes(`agent exited 0 but made no commits${failure}`),
          exitCode: 0,
        };
      }
      return { outcome: "succeeded", reason: withNotes("agent exited 0"), exitCode: 0 };
  }
}

/** The protocol caps `reason` at 4000 characters. */
export function clampReason(reason: string): string {
  return reason.length <= 4000 ? reason : `${reason.slice(0, 3997)}...`;
}
