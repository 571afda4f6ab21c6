/**
 * How a run of GitHub's Copilot coding agent goes on and ends: progress seen in its events
 * renews its lease in the RepoQueue (the board's lease is renewed on the agenda, like a
 * daemon run's); a finished session hands its pull request on as a daemon's succeeded run
 * does (the seam to the pull-request loop); a failed or abandoned one is reported, Copilot is
 * unassigned and the lock released. Used by the repo loop, the gate pass and cloud-events.ts.
 */
import { isCopilotLogin, type LinkedPullRequest } from "../board/copilot-client.ts";
import type { CloudSession, CloudSessions } from "./cloud-sessions.ts";
import type { FinishOutcome } from "./settle-run.ts";
import type { LoopDeps } from "./repo-loop.ts";
import type { Run, Runs } from "./runs.ts";

/** The agent id of Copilot's runs (no daemon is involved; see claim-cloud.ts). */
export const COPILOT_AGENT_ID = "copilot";

export const isCloudRun = (run: Pick<Run, "agentId">): boolean => run.agentId === COPILOT_AGENT_ID;

/**
 * The seam to the pull-request loop (issue 8, items 1-4): a Copilot session that finished is
 * settled as a daemon's succeeded run (`finishRun(run, "succeeded", …)`), its branch on the run
 * being Copilot's head branch, so the loop's adoption of "a PR the agent opened itself for
 * that branch" takes this PR too, through the same tiers, merge and release.
 */
export interface HandedOnPullRequest {
  runId: string;
  issueNumber: number;
  number: number;
  id: string | null;
  url: string | null;
  headRef: string | null;
  author: typeof COPILOT_AGENT_ID;
}

type PullRequestSeen = NonNullable<CloudSession["pullRequest"]>;

/** What cloud-events.ts and the expiry check write: DO storage only, no GitHub call. */
export interface ProgressDeps {
  config: LoopDeps["config"];
  cloud: CloudSessions;
  runs: Runs;
  transaction: (work: () => void) => void;
  now: () => number;
}

/** A sign of progress: the session's lease moves on, its PR (when first seen) is recorded. */
export function noteProgress(
  deps: ProgressDeps,
  run: Run,
  what: string,
  pullRequest: PullRequestSeen | null = null,
): void {
  const now = deps.now();
  deps.transaction(() => {
    if (pullRequest !== null) {
      deps.cloud.linkPullRequest(run.runId, pullRequest);
      deps.runs.setState(run.runId, "running", pullRequest.headRef ?? undefined);
    }
    deps.cloud.progress(run.runId, what, now);
    deps.runs.renew(run.runId, now, deps.config.cloud.progressTimeoutSeconds * 1000);
    deps.runs.setLastEvent(run.runId, what, now);
  });
}

/**
 * At the start of each pass: sessions that finished are handed on (succeeded), sessions that
 * failed are settled as failed runs (retried with backoff, parked after the attempts).
 */
export async function settleCloudSessions(
  deps: Pick<LoopDeps, "cloud" | "runs">,
  finish: (run: Run, outcome: FinishOutcome, reason: string) => Promise<void>,
): Promise<void> {
  for (const session of deps.cloud.list()) {
    const run = deps.runs.get(session.runId);
    if (run === null || run.state === "finished") {
      deps.cloud.drop(session.runId);
      continue;
    }
    if (session.phase === "ready") {
      const pr = session.pullRequest;
      await finish(run, "succeeded", `Copilot finished its pull request${pr ? ` #${pr.number}` : ""}.`);
    } else if (session.phase === "failed") {
      await finish(run, "failed", session.ended ?? "Copilot's session failed.");
    }
  }
}

/**
 * Part of finishing a cloud run, before its lock is released: the session row goes; unless
 * it is handed on or its issue is closed, Copilot is unassigned (one mutation) so that a retry
 * or a person starts afresh; the operator log says what happened. Returns the handed-on PR.
 */
export async function endCloudSession(
  deps: LoopDeps,
  run: Run,
  outcome: FinishOutcome,
  reason: string,
): Promise<HandedOnPullRequest | null> {
  const session = deps.cloud.get(run.runId);
  if (session === null) return null;
  deps.cloud.drop(run.runId);
  const pr = session.pullRequest;
  const handedOn = outcome === "succeeded";
  const issueClosed = deps.mirror.get(run.itemId)?.state === "CLOSED";
  let detail: string;
  if (handedOn) {
    detail = `Copilot's session ${run.runId} finished${pr ? ` with pull request #${pr.number}${pr.url ? ` (${pr.url})` : ""}` : ""}; handed to the pull-request loop`;
  } else {
    let unassigned = "";
    if (!issueClosed) {
      try {
        await deps.board.copilot.unassign(session.issueId, {
          id: session.actorId,
          login: "copilot-swe-agent",
        });
        unassigned = ", Copilot unassigned";
      } catch (error) {
        deps.log("copilot_unassign_failed", { runId: run.runId, error: String(error) });
      }
    }
    detail = `Copilot's session ${run.runId} ended (${outcome}): ${reason} Lock released${unassigned}.`;
  }
  await deps
    .journal("cloud_session", run.number, detail)
    .catch((error: unknown) => deps.log("journal_failed", { runId: run.runId, error: String(error) }));
  if (!handedOn || pr === null) return null;
  return {
    runId: run.runId,
    issueNumber: run.number,
    number: pr.number,
    id: pr.id,
    url: pr.url,
    headRef: pr.headRef,
    author: COPILOT_AGENT_ID,
  };
}

/**
 * A cloud run whose lease ran out: before it is taken as abandoned, the issue's linked PRs
 * are read once (one point) in case a webhook was missed; a PR of Copilot's that moved since
 * the last progress counts as progress. Otherwise the run ends `expired`, with the reason.
 */
export async function expireCloudRun(
  deps: LoopDeps,
  run: Run,
  finish: (reason: string) => Promise<void>,
): Promise<void> {
  const session = deps.cloud.get(run.runId);
  if (session !== null) {
    let linked: LinkedPullRequest[] = [];
    try {
      linked = await deps.board.copilot.linkedPullRequests(session.issueId);
    } catch (error) {
      deps.log("copilot_progress_check_failed", { runId: run.runId, error: String(error) });
    }
    const moved = linked.find(
      (pr) => isCopilotLogin(pr.author?.login) && Date.parse(pr.updatedAt) > session.lastProgressAt,
    );
    if (moved !== undefined) {
      const seen = { number: moved.number, id: moved.id, url: moved.url, headRef: moved.headRefName };
      noteProgress(deps, run, `Copilot's pull request #${moved.number} moved`, seen);
      if (!moved.isDraft) deps.cloud.setPhase(run.runId, "ready");
      return;
    }
  }
  const minutes = Math.round(deps.config.cloud.progressTimeoutSeconds / 60);
  const last =
    session === null
      ? ""
      : ` (last: ${session.lastProgress}, ${new Date(session.lastProgressAt).toISOString()})`;
  await finish(`Copilot showed no progress for ${minutes} min${last}: its session is taken as abandoned.`);
}
