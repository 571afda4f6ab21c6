/**
 * Webhooks about the repo's pull requests applied to its reviews, as deltas (no read): a push
 * to the head (`synchronize`) moves the head and starts its checks over; `check_run`,
 * `check_suite` and `status` fold into the head's checks; a merge or a close of a tracked PR
 * is handed on to be settled (land-pull-request.ts). Plain module, used by the repo loop.
 */
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import { applyCheck, rollup } from "./check-rollup.ts";
import type { Review, Reviews } from "./reviews.ts";
import { isLive } from "./reviews.ts";

/** Work a review event leaves for the serial chain: each awaits GitHub. */
export type ReviewAction =
  | {
      kind: "merged";
      number: number;
      prNumber: number;
      by: string | null;
      body: string;
      base: string;
      defaultBranch: string | null;
      deleteBranchOnMerge: boolean | null;
    }
  | { kind: "closed"; number: number; prNumber: number; by: string | null }
  | { kind: "checks"; number: number };

export function applyReviewEvent(reviews: Reviews, event: WorkspaceEvent, now: number): ReviewAction[] {
  if (event.kind === "pull_request") return pullRequestEvent(reviews, event, now);
  if (event.kind === "check") return checkEvent(reviews, event, now);
  return [];
}

type PullRequestEvent = Extract<WorkspaceEvent, { kind: "pull_request" }>;

function pullRequestEvent(reviews: Reviews, event: PullRequestEvent, now: number): ReviewAction[] {
  const review = reviews.byPullRequest(event.number);
  if (review === null || !isLive(review)) return [];
  if (event.action === "synchronize" && event.headSha) {
    if (event.headSha !== review.headSha)
      reviews.update(review.number, { headSha: event.headSha, checks: {} }, now);
    return [];
  }
  if (event.action !== "closed") return [];
  const by = event.mergedBy ?? event.sender;
  if (event.merged)
    return [
      {
        kind: "merged",
        number: review.number,
        prNumber: event.number,
        by,
        body: event.body,
        base: event.baseRef ?? review.base,
        defaultBranch: event.defaultBranch ?? null,
        deleteBranchOnMerge: event.deleteBranchOnMerge ?? null,
      },
    ];
  return [{ kind: "closed", number: review.number, prNumber: event.number, by: event.sender }];
}

type CheckEvent = Extract<WorkspaceEvent, { kind: "check" }>;

function checkEvent(reviews: Reviews, event: CheckEvent, now: number): ReviewAction[] {
  const byNumber = event.pullRequests
    .map((number) => reviews.byPullRequest(number))
    .filter((review): review is Review => review !== null && isLive(review) && review.headSha === event.sha);
  const targets = new Map(
    [...reviews.byHead(event.sha), ...byNumber].map((review) => [review.number, review]),
  );
  const actions: ReviewAction[] = [];
  for (const review of targets.values()) {
    const before = rollup(review.checks);
    const checks = applyCheck(review.checks, { source: event.source, name: event.name, state: event.state });
    reviews.update(review.number, { checks }, now);
    const after = rollup(checks);
    if (after !== before && (after === "success" || after === "failure"))
      actions.push({ kind: "checks", number: review.number });
  }
  return actions;
}
