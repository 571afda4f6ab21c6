/**
 * A PR sent back by QA is reworked on its own branch and PR: its item kept its lock (Status
 * In Progress, Lock Key and Claim Owner set), so the gate's active check does not apply; it is
 * claimed again for a daemon with the same keys, and the dispatch names the branch and the PR
 * (the QA note reaches the prompt as context). Used by the gate pass.
 */
import type { BoardItem } from "../board/board-item.ts";
import { formatLockKeys, requestedLocks } from "../board/locks.ts";
import { pickAgent } from "../queue/agents.ts";
import { claimAndDispatch } from "../queue/claim-item.ts";
import type { QueueItem } from "../queue/micro-queue.ts";
import type { LoopDeps } from "../queue/repo-loop.ts";
import type { Review } from "./reviews.ts";

/** Whether the item waits for a rework of its PR (then the gate pass leaves it to this module). */
export function reworkOf(deps: Pick<LoopDeps, "reviews">, number: number): Review | null {
  const review = deps.reviews.live(number);
  return review?.state === "rework" ? review : null;
}

export async function dispatchRework(
  deps: LoopDeps,
  entry: QueueItem,
  item: BoardItem,
  review: Review,
): Promise<void> {
  const { queue } = deps;
  const requested = requestedLocks(item, deps.repo);
  if (!requested.ok) {
    queue.setVerdict(entry.number, "triage", requested.reason);
    return;
  }
  if (entry.notBefore > deps.now() || deps.paused()) {
    queue.setVerdict(entry.number, "backoff", `The rework of PR #${review.prNumber ?? "?"} waits its turn.`);
    return;
  }
  const agent = pickAgent(deps.agents(), (id) => deps.runs.liveCountFor(id));
  if (agent === null) {
    queue.setVerdict(
      entry.number,
      "runnable",
      `A rework of PR #${review.prNumber ?? "?"} waits for an agent; the item keeps its lock.`,
    );
    return;
  }
  const verdict = {
    area: requested.area.name,
    scope: requested.scope,
    lockKeys: requested.keys,
    lockKeyText: formatLockKeys(requested.keys),
    baseBranch: review.base,
  };
  const pullRequest =
    review.prNumber === null ? null : { number: review.prNumber, url: review.prUrl ?? `#${review.prNumber}` };
  await claimAndDispatch(deps, item, agent, verdict, entry.attempts + 1, {
    branch: review.branch,
    pullRequest,
  });
}
