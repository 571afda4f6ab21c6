/**
 * What a succeeded run hands to its pull request (the protocol's `RunWork`): the branch pushed
 * to origin if the agent did not push it, its head, the agent's report (agent-report.ts), the
 * commits' subjects and the diffstat against the base. The Worker opens the PR from it. Used
 * by run-lifecycle.ts.
 */
import type { RunWork } from "../worker/protocol/messages.ts";
import { parseReport, reportText } from "./agent-report.ts";
import { git, gitLines } from "./git.ts";
import { inspectWorktree, judgeRun, type RepoState, type Verdict } from "./report.ts";
import type { AgentExit } from "./run-agent.ts";
import { pushBranch } from "./wip-commit.ts";

const MAX_FILES = 300;
const MAX_SUBJECTS = 300;

export interface WorkPlace {
  worktree: string;
  branch: string;
  baseBranch: string;
  runDir: string;
}

export type CollectedWork = { ok: true; work: RunWork } | { ok: false; reason: string };

/** Pushes what is unpushed, then describes the branch against `origin/<base>`. */
export async function collectWork(
  place: WorkPlace,
  repo: RepoState,
  lastMessage: string | null,
): Promise<CollectedWork> {
  if (repo.unpushed !== 0) {
    const push = await pushBranch(place.worktree, place.branch);
    if (!push.ok) return { ok: false, reason: push.reason };
  }
  const base = `origin/${place.baseBranch}`;
  const head = await git(place.worktree, ["rev-parse", "HEAD"]);
  const subjects =
    (await gitLines(place.worktree, ["log", "--reverse", "--format=%s", `${base}..HEAD`])) ?? [];
  const numstat = (await gitLines(place.worktree, ["diff", "--numstat", `${base}...HEAD`])) ?? [];
  const files = numstat.map(parseNumstat).filter((file) => file !== null);
  const report = parseReport(reportText(place.runDir, lastMessage));
  return {
    ok: true,
    work: {
      pushed: true,
      head: head.ok ? head.stdout.trim() : null,
      summary: report.summary,
      testing: report.testing,
      subjects: subjects.slice(-MAX_SUBJECTS).map((subject) => subject.slice(0, 500)),
      files: files.slice(0, MAX_FILES),
      filesChanged: files.length,
      additions: files.reduce((sum, file) => sum + (file.additions ?? 0), 0),
      deletions: files.reduce((sum, file) => sum + (file.deletions ?? 0), 0),
    },
  };
}

/** One `git diff --numstat` line: `12\t3\tpath` (`-` counts for a binary file). */
export function parseNumstat(line: string): RunWork["files"][number] | null {
  const [added, deleted, ...rest] = line.split("\t");
  const file = rest.join("\t");
  if (added === undefined || deleted === undefined || file === "") return null;
  const count = (text: string): number | null => (/^\d+$/.test(text) ? Number(text) : null);
  return { path: file.slice(0, 1000), additions: count(added), deletions: count(deleted) };
}

/**
 * How the run ended, judged by the repository (report.ts), and for a succeeded run what its PR
 * needs; a push that fails turns the success into a failure (the next attempt resumes the branch).
 */
export async function judgeFinishedRun(
  place: WorkPlace,
  exit: AgentExit,
  stopReason: string | null,
  lastMessage: string | null,
): Promise<{ verdict: Verdict; repo: RepoState; work: RunWork | null }> {
  const repo = await inspectWorktree(place.worktree, place.baseBranch, place.branch);
  const verdict = judgeRun(exit, repo, stopReason);
  if (verdict.outcome !== "succeeded") return { verdict, repo, work: null };
  const collected = await collectWork(place, repo, lastMessage);
  if (!collected.ok)
    return {
      verdict: { outcome: "failed", reason: collected.reason, exitCode: verdict.exitCode },
      repo,
      work: null,
    };
  return { verdict, repo, work: collected.work };
}
