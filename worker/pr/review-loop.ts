/**
 * The repo loop's pull-request part: settles what review webhooks left to do (a merge, a
 * close, checks that settled), retries PR openings that failed, and escalates QA that waited
 * too long — each with its agenda due time. The repo loop owns one; the RepoQueue's core calls it.
 */
import type { IssueState } from "../board/board-item.ts";
import type { LoopDeps } from "../queue/repo-loop.ts";
import type { Run } from "../queue/runs.ts";
import type { FinishOptions } from "../queue/finish-run.ts";
import { steerRun } from "../queue/steering.ts";
import { settleReviewAction } from "./land-pull-request.ts";
import { openRetryAt, openReview } from "./open-pull-request.ts";
import { escalateQaTimeouts, nextQaTimeout } from "./qa-timeout.ts";
import type { ReviewAction } from "./review-events.ts";

type Finish = (run: Run, outcome: "stopped", reason: string, options: FinishOptions) => Promise<void>;

export class ReviewLoop {
  readonly #d: LoopDeps;
  readonly #finish: Finish;

  constructor(deps: LoopDeps, finish: Finish) {
    this.#d = deps;
    this.#finish = finish;
  }

  /** Settles the actions in order; returns the completions the supervisor fans out. */
  async settle(actions: readonly ReviewAction[]): Promise<IssueState[]> {
    const completions: IssueState[] = [];
    for (const action of actions)
      completions.push(
        ...(await settleReviewAction(this.#d, action, { stopRun: (n, why) => this.#stop(n, why) })),
      );
    return completions;
  }

  /** When the next retry of a PR that could not be opened is due (null: none waits). */
  nextRetry(): number | null {
    const due = this.#d.reviews
      .list()
      .filter((review) => review.state === "opening")
      .map((review) => openRetryAt(review, review.updatedAt));
    return due.length === 0 ? null : Math.min(...due);
  }

  /** Tries again to open the PRs whose opening failed (or was cut short), when due. */
  async retryOpenings(): Promise<void> {
    for (const review of this.#d.reviews.list()) {
      if (review.state === "opening" && openRetryAt(review, review.updatedAt) <= this.#d.now())
        await openReview(this.#d, review.number, null);
    }
  }

  /** When a waiting QA item is next due for escalation (null: none). */
  nextQaTimeout(): number | null {
    return nextQaTimeout(this.#d);
  }

  /** Escalates QA items that waited past `qa.timeoutMinutes` to the meta queue. */
  async escalateQa(): Promise<void> {
    await escalateQaTimeouts(this.#d);
  }

  /** A merge or close while a run reworks the PR: the run is told to stop and ends here. */
  async #stop(number: number, why: string): Promise<void> {
    const live = this.#d.runs.liveFor(number);
    if (live === null) return;
    steerRun(this.#d, {
      runId: live.runId,
      command: "stop_and_requeue",
      reason: why,
      sourceEventId: `review-${live.runId}`,
      text: "",
    });
    await this.#finish(live, "stopped", why, { issueClosed: true, skipBoard: true });
  }
}
