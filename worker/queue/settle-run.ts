/**
 * What a finished run means for its item: done (in review, or waiting for QA when its area's
 * risk calls for it), requeued (with exponential backoff after a failure), or parked after
 * `maxAttempts` failures, and which Status the board gets when the lock is released. Pure;
 * the repo loop applies it.
 */
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import type { RunOutcome } from "../protocol/messages.ts";
import type { ItemState } from "./micro-queue.ts";

export type FinishOutcome = RunOutcome | "expired";

export interface Settlement {
  state: ItemState;
  verdict: string;
  reason: string;
  attempts: number;
  notBefore: number | undefined;
  /** Status written with the release; null leaves Status as it is. */
  boardStatus: string | null;
}

const FAILURES: ReadonlySet<FinishOutcome> = new Set(["failed", "stalled", "expired", "refused"]);

export function settleRun(
  run: { runId: string; attempt: number },
  outcome: FinishOutcome,
  reason: string,
  context: { config: WorkspaceConfig; now: number; issueClosed: boolean; needsQa: boolean },
): Settlement {
  const { config, now } = context;
  if (context.issueClosed) {
    return {
      state: "done",
      verdict: "done",
      reason,
      attempts: run.attempt,
      notBefore: undefined,
      boardStatus: null,
    };
  }
  if (outcome === "succeeded" && context.needsQa) {
    return {
      state: "done",
      verdict: "qa_required",
      reason: `Run ${run.runId} succeeded and waits for QA: ${reason}`,
      attempts: run.attempt,
      notBefore: undefined,
      boardStatus: config.statuses.qaRequired,
    };
  }
  if (outcome === "succeeded") {
    return {
      state: "done",
      verdict: "finished",
      reason: `Run ${run.runId} succeeded: ${reason}`,
      attempts: run.attempt,
      notBefore: undefined,
      boardStatus: config.statuses.review,
    };
  }
  const failed = FAILURES.has(outcome);
  if (failed && run.attempt >= config.dispatch.maxAttempts) {
    return {
      state: "parked",
      verdict: "parked",
      reason: `Parked after ${run.attempt} failed attempts: ${reason}`,
      attempts: run.attempt,
      notBefore: undefined,
      boardStatus: config.statuses.triage,
    };
  }
  const backoff = failed ? config.dispatch.retryBaseSeconds * 1000 * 2 ** (run.attempt - 1) : 0;
  return {
    state: "queued",
    verdict: "requeued",
    reason: `Run ${run.runId} ${outcome}: ${reason}`,
    // A lock conflict found by the daemon, or a run the daemon lost to its own restart
    // ("interrupted": the next attempt resumes its worktree), is not the item's fault: it does
    // not use up an attempt and waits for no backoff.
    attempts: failed || outcome === "stopped" ? run.attempt : run.attempt - 1,
    notBefore: now + backoff,
    boardStatus: config.statuses.ready,
  };
}
