/**
 * Ends a run: records it, settles its item (settle-run.ts) and writes the board. A succeeded
 * run hands its item to its pull request (worker/pr/open-pull-request.ts): the item keeps its
 * Lock Key and Claim Owner — locks follow the code — and takes `QA Required` or `In Review`,
 * only the lease fields are cleared, and the PR is opened. A run that reworks an open PR and
 * fails keeps the lock too. Any other end releases the claim. Used by the repo loop.
 */
import { findArea } from "../board/locks.ts";
import type { RunWork } from "../protocol/messages.ts";
import { beginReview, openReview } from "../pr/open-pull-request.ts";
import { clearedClaim } from "./claim-item.ts";
import { endCloudSession, isCloudRun } from "./cloud-runs.ts";
import type { LoopDeps } from "./repo-loop.ts";
import type { Run } from "./runs.ts";
import { settleRun, type FinishOutcome, type Settlement } from "./settle-run.ts";

export interface FinishOptions {
  /** The issue closed (or the item finished): leave the board's Status alone, the item done. */
  issueClosed?: boolean;
  /** Someone else writes the board (a merge or close settles the item): no write here. */
  skipBoard?: boolean;
  /** What the daemon reported of a succeeded run. */
  reported?: { branch: string | null; work: RunWork | undefined; prUrl: string | null };
}

export async function finishRun(
  deps: LoopDeps,
  run: Run,
  outcome: FinishOutcome,
  reason: string,
  options: FinishOptions = {},
): Promise<void> {
  const { config, queue, runs, outbox, mirror, reviews, now } = deps;
  // A Copilot session hands its PR on like a succeeded run, or is unassigned (cloud-runs.ts).
  const handedOn = isCloudRun(run) ? await endCloudSession(deps, run, outcome, reason) : null;
  const reported =
    handedOn === null
      ? options.reported
      : { branch: handedOn.headRef, work: undefined, prUrl: handedOn.url ?? `#${handedOn.number}` };
  const item = mirror.get(run.itemId);
  const issueClosed = options.issueClosed === true;
  const risk = item ? findArea(deps.repo, item.fields.area ?? "")?.risk : undefined;
  const needsQa = risk !== undefined && config.qa.requiredFor.includes(risk);
  let settled = settleRun(run, outcome, reason, { config, now: now(), issueClosed, needsQa });
  const rework = reviews.live(run.number);
  // The board write: which Status, and whether the claim goes or stays with the PR.
  let write: { status: string | null; keepLock: boolean } = { status: settled.boardStatus, keepLock: false };
  let opening = false;
  if (!issueClosed && item !== null && outcome === "succeeded") {
    const begun = beginReview(deps, run, item, {
      branch: reported?.branch ?? null,
      work: reported?.work,
    });
    opening = begun.review.state === "opening";
    const qa = begun.status === config.statuses.qaRequired;
    settled = {
      ...settled,
      verdict: qa ? "qa_required" : "in_review",
      reason: `Run ${run.runId} succeeded: ${reason}. ${begun.review.detail}`,
      boardStatus: begun.status,
    };
    write = { status: begun.status, keepLock: true };
  } else if (!issueClosed && rework !== null && rework.state === "rework") {
    write = heldRework(deps, settled, rework.prNumber, run);
    settled = { ...settled, reason: `${settled.reason} The PR stays open; the item keeps its lock.` };
  }
  const owed = item !== null && options.skipBoard !== true;
  deps.transaction(() => {
    runs.finish(run.runId, outcome, reason, now());
    outbox.dropRun(run.runId);
    deps.scopes.drop(run.runId);
    // The board write is owed until GitHub took it: a failed one is retried by the gate pass.
    if (owed) {
      const release = { itemId: item.itemId, number: run.number, runId: run.runId, status: write.status };
      deps.releases.add({ ...release, since: now(), keepLock: write.keepLock });
    }
    if (queue.get(run.number) === null) return;
    queue.setState(run.number, settled.state, {
      attempts: settled.attempts,
      ...(settled.notBefore === undefined ? {} : { notBefore: settled.notBefore }),
      reason: settled.reason,
    });
    queue.setVerdict(run.number, settled.verdict, settled.reason);
  });
  if (item !== null && options.skipBoard !== true) {
    try {
      const status = write.status === null ? {} : { status: write.status };
      if (write.keepLock) {
        const values = { leaseExpires: null, lastHeartbeat: null, ...status };
        const written = await deps.board.updateFields("hand over", item, values);
        mirror.applyOwnWrite(item.itemId, values, written.updatedAt, now());
        deps.releases.done(item.itemId, run.runId);
      } else {
        const written = await deps.board.releaseClaim(item, { status: write.status });
        mirror.applyOwnWrite(item.itemId, { ...clearedClaim(), ...status }, written.updatedAt, now());
        deps.releases.done(item.itemId, run.runId);
      }
    } catch (error) {
      // The write stays in pending_releases for the next gate pass (pending-releases.ts).
      deps.log("release_failed", { runId: run.runId, error: String(error) });
    }
  }
  if (opening) await openReview(deps, run.number, reported?.prUrl ?? null);
  if (settled.state === "parked") {
    const title = item?.title ?? queue.get(run.number)?.title ?? `#${run.number}`;
    await deps
      .notifyParked({ number: run.number, title, reason: settled.reason, runId: run.runId })
      .catch((error: unknown) => deps.log("notify_failed", { runId: run.runId, error: String(error) }));
  }
  deps.log("run_finished", {
    runId: run.runId,
    outcome,
    reason,
    status: write.status,
    ...(handedOn === null ? {} : { pullRequest: handedOn.url ?? handedOn.number }),
  });
}

/**
 * A rework run that did not succeed: its PR is still open, so the item keeps its lock, In
 * Progress while it waits for the next attempt, or back in QA when its attempts are used up.
 */
function heldRework(
  deps: LoopDeps,
  settled: Settlement,
  prNumber: number | null,
  run: Run,
): { status: string; keepLock: boolean } {
  const { config, reviews, now } = deps;
  if (settled.state === "parked") {
    reviews.update(
      run.number,
      {
        state: "open",
        qa: "required",
        detail: `The rework of PR #${prNumber ?? "?"} failed: ${settled.reason}`,
      },
      now(),
    );
    return { status: config.statuses.qaRequired, keepLock: true };
  }
  return { status: config.statuses.inProgress, keepLock: true };
}
