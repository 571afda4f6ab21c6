/**
 * Claims a runnable `cloud` item for GitHub's Copilot coding agent: the same claim as a daemon's
 * (a run with a fence, the fields written in one request and read back) under Claim Owner
 * `copilot`, then the issue assigned to Copilot's bot, which starts its session. No daemon is
 * involved, and the run's secret is thrown away: no agent can speak for it. Used by gate-pass.ts.
 */
import { COPILOT_CLAIM_OWNER } from "../board/agent-mode.ts";
import type { BoardItem } from "../board/board-item.ts";
import { claimRun, type ClaimVerdict } from "./claim-item.ts";
import { COPILOT_AGENT_ID } from "./cloud-runs.ts";
import { copilotActor } from "./copilot-actor.ts";
import type { LoopDeps } from "./repo-loop.ts";
import type { Run } from "./runs.ts";

export type ClaimCloudResult = "assigned" | "lost" | "unavailable" | "failed";

/**
 * `finish` settles the run when GitHub would not assign Copilot (the lock is released and the
 * item retried like a failed run).
 */
export async function claimForCopilot(
  deps: LoopDeps,
  item: BoardItem,
  verdict: ClaimVerdict,
  attempt: number,
  finish: (run: Run, reason: string) => Promise<void>,
): Promise<ClaimCloudResult> {
  const { config, repo, queue, now } = deps;
  const number = item.number ?? 0;
  const lookup = await copilotActor(deps);
  if (lookup.kind === "unavailable" || item.contentId === null) {
    const reason = lookup.kind === "unavailable" ? lookup.reason : "The item has no issue to assign.";
    queue.setVerdict(number, "cloud_unavailable", reason);
    return "unavailable";
  }
  const { actor } = lookup;
  const claimed = await claimRun(
    deps,
    item,
    {
      agentId: COPILOT_AGENT_ID,
      claimOwner: COPILOT_CLAIM_OWNER,
      leaseMs: config.cloud.progressTimeoutSeconds * 1000,
      claiming: (fence) =>
        `Claiming ${verdict.lockKeyText} for GitHub's Copilot coding agent (fence ${fence}).`,
    },
    verdict,
    attempt,
  );
  if (claimed === null) return "lost";
  const { run } = claimed;
  deps.cloud.create({ runId: run.runId, number, issueId: item.contentId, actorId: actor.id, now: now() });
  let failure: string | null = null;
  try {
    if (!(await deps.board.copilot.assign(item.contentId, actor, repo.baseBranch)))
      failure = "GitHub did not show Copilot among the issue's assignees after the assignment.";
  } catch (error) {
    failure = `Assigning Copilot failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (failure !== null) {
    deps.cloud.drop(run.runId);
    await finish(run, failure);
    return "failed";
  }
  const detail = `assigned to GitHub's Copilot coding agent as ${run.runId} (fence ${run.fence}), holding ${verdict.lockKeyText}`;
  deps.transaction(() => {
    deps.runs.setState(run.runId, "dispatched");
    deps.runs.setLastEvent(run.runId, "assigned to Copilot; waiting for its pull request", now());
    queue.setVerdict(
      number,
      "active",
      `Assigned to GitHub's Copilot coding agent as ${run.runId} (fence ${run.fence}).`,
    );
  });
  deps.log("copilot_assigned", { number, runId: run.runId, fence: run.fence });
  await deps
    .journal("cloud_session", number, detail)
    .catch((error: unknown) => deps.log("journal_failed", { runId: run.runId, error: String(error) }));
  return "assigned";
}
