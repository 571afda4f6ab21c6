/**
 * How an item's pull request ends, and what its checks and QA change on the way (DESIGN "Lock
 * rules": locks follow the code). Merged: Status Done, the issue closed as completed (unless
 * the closing keyword did it), the lock fields cleared, the branch deleted (unless GitHub does
 * or it is turned off), and the completion handed to the supervisor's fan-out. Closed without
 * merge: the lock released, the item back to Ready (or to triage after its attempts) with the
 * reason on record. Checks that pass merge a PR Worker Factory lands itself; checks that fail
 * send a change that skipped QA to QA. Used by the repo loop.
 */
import type { IssueState } from "../board/board-item.ts";
import { clearedClaim } from "../queue/claim-item.ts";
import type { LoopDeps } from "../queue/repo-loop.ts";
import { failing, rollup } from "./check-rollup.ts";
import { settleLanding } from "./open-pull-request.ts";
import { closesOnMerge } from "./pr-description.ts";
import { mergeMethod, repoFacts } from "./repo-facts.ts";
import type { ReviewAction } from "./review-events.ts";
import { isLive, type Review } from "./reviews.ts";

export interface LandHooks {
  /** Ends the item's live run, if one is going (a merge or close while it reworks the PR). */
  stopRun(number: number, why: string): Promise<void>;
}

export async function settleReviewAction(
  deps: LoopDeps,
  action: ReviewAction,
  hooks: LandHooks,
): Promise<IssueState[]> {
  const review = deps.reviews.get(action.number);
  if (review === null || !isLive(review)) return [];
  switch (action.kind) {
    case "merged":
      return merged(deps, review, action, hooks);
    case "closed":
      await closed(deps, review, action, hooks);
      return [];
    case "checks":
      await checksSettled(deps, review);
      return [];
  }
}

async function merged(
  deps: LoopDeps,
  review: Review,
  action: Extract<ReviewAction, { kind: "merged" }>,
  hooks: LandHooks,
): Promise<IssueState[]> {
  const { config, repo, mirror, queue, now } = deps;
  const by = action.by === null ? "" : ` by @${action.by}`;
  await hooks.stopRun(review.number, `PR #${action.prNumber} was merged${by}.`);
  const notes: string[] = [];
  // Recorded as merged only once the board says so: a write that fails leaves the delivery
  // unapplied, and its redelivery finds the review still live and does the rest again.
  const settle = (): void =>
    deps.transaction(() => {
      deps.reviews.update(
        review.number,
        { state: "merged", detail: `PR #${action.prNumber} merged${by}.` },
        now(),
      );
      if (queue.get(review.number) !== null) {
        queue.setState(review.number, "done", { reason: `PR #${action.prNumber} merged${by}.` });
        queue.setVerdict(review.number, "done", `PR #${action.prNumber} merged${by}.`);
      }
    });
  const item = mirror.get(review.itemId) ?? mirror.byNumber(review.number);
  if (item === null) {
    settle();
    return [];
  }
  const done = config.statuses.done[0] ?? "Done";
  const written = await deps.board.releaseClaim(item, { status: done });
  mirror.applyOwnWrite(item.itemId, { ...clearedClaim(), status: done }, written.updatedAt, now());
  notes.push(`Status ${done}, lock released`);
  let state = item.state ?? "OPEN";
  let stateReason = item.stateReason;
  const defaultBranch = action.defaultBranch ?? repo.baseBranch;
  const keyword = closesOnMerge(action.body, action.base, defaultBranch, `${repo.name}#${review.number}`);
  if (!keyword && state !== "CLOSED" && item.contentId !== null) {
    await deps.board.pullRequests.closeIssue(item.contentId);
    state = "CLOSED";
    stateReason = "COMPLETED";
    mirror.update(item.itemId, (current) => ({ ...current, state, stateReason }), now(), { own: true });
    notes.push("issue closed");
  } else notes.push(keyword ? "the closing keyword closes the issue" : "issue already closed");
  if (config.pullRequests.deleteBranch && action.deleteBranchOnMerge !== true) {
    const deleted = await deps.board.pullRequests.deleteBranch(repo.name, review.branch);
    notes.push(deleted.ok ? `branch ${review.branch} deleted` : `branch kept (${deleted.reason})`);
  } else if (action.deleteBranchOnMerge === true) notes.push("GitHub deletes the branch");
  settle();
  await journal(deps, review.number, `PR #${action.prNumber} merged${by}: ${notes.join("; ")}.`);
  deps.log("pull_request_merged", { number: review.number, pr: action.prNumber });
  return [{ repo: repo.name, number: review.number, state, stateReason, boardStatus: done }];
}

async function closed(
  deps: LoopDeps,
  review: Review,
  action: Extract<ReviewAction, { kind: "closed" }>,
  hooks: LandHooks,
): Promise<void> {
  const { config, mirror, queue, now } = deps;
  const by = action.by === null ? "" : ` by @${action.by}`;
  const why = `PR #${action.prNumber} was closed without being merged${by}.`;
  await hooks.stopRun(review.number, why);
  const entry = queue.get(review.number);
  const attempts = entry?.attempts ?? review.attempt;
  const parked = attempts >= config.dispatch.maxAttempts;
  const status = parked ? config.statuses.triage : config.statuses.ready;
  const reason = parked
    ? `${why} Parked after ${attempts} attempt(s); back to ${status}.`
    : `${why} Back to ${status} (attempt ${attempts} of ${config.dispatch.maxAttempts}).`;
  const item = mirror.get(review.itemId) ?? mirror.byNumber(review.number);
  if (item !== null) {
    const written = await deps.board.releaseClaim(item, { status });
    mirror.applyOwnWrite(item.itemId, { ...clearedClaim(), status }, written.updatedAt, now());
  }
  // After the board write: one that fails leaves the review live for the redelivery.
  deps.transaction(() => {
    deps.reviews.update(review.number, { state: "closed", note: why, detail: reason }, now());
    if (entry !== null) {
      queue.setState(review.number, parked ? "parked" : "queued", { notBefore: now(), reason });
      queue.setVerdict(review.number, parked ? "parked" : "requeued", reason);
    }
  });
  await journal(deps, review.number, reason);
  if (parked)
    await deps
      .notifyParked({
        number: review.number,
        title: item?.title ?? `#${review.number}`,
        reason,
        runId: review.runId,
      })
      .catch((error: unknown) => deps.log("notify_failed", { number: review.number, error: String(error) }));
}

/** The head's checks all passed or one failed. */
async function checksSettled(deps: LoopDeps, review: Review): Promise<void> {
  if (review.state !== "open" || review.prId === null) return;
  const state = rollup(review.checks);
  if (
    state === "success" &&
    review.landing === "when_green" &&
    (review.qa === "skipped" || review.qa === "passed")
  ) {
    const facts = await repoFacts(deps, review.base);
    const method = mergeMethod(deps, facts);
    const result = facts.mergeQueue
      ? await deps.board.pullRequests.enqueue(review.prId, review.headSha)
      : method === null
        ? { ok: false as const, reason: "the repo allows no merge method" }
        : await deps.board.pullRequests.merge(review.prId, method, review.headSha);
    const detail = result.ok
      ? `Its checks passed: Worker Factory ${facts.mergeQueue ? "added it to the merge queue" : "merged"} PR #${review.prNumber}.`
      : `Its checks passed, but the merge was refused: ${result.reason}`;
    deps.reviews.update(review.number, { detail }, deps.now());
    if (!result.ok) await journal(deps, review.number, detail);
    return;
  }
  if (state === "failure" && review.qa === "skipped") {
    const item = deps.mirror.get(review.itemId);
    const names = failing(review.checks).join(", ");
    const detail = `Checks failed (${names}): the change waits for a person's QA before review.`;
    if (item !== null) {
      const status = deps.config.statuses.qaRequired;
      const written = await deps.board.updateFields("qa required", item, { status });
      deps.mirror.applyOwnWrite(item.itemId, { status }, written.updatedAt, deps.now());
    }
    // Armed to merge itself, it would merge on the next green run before anyone QAs it.
    if (review.landing === "auto_merge") {
      const disarmed = await deps.board.pullRequests.disableAutoMerge(review.prId);
      if (!disarmed.ok)
        deps.log("pull_request_disarm_failed", { number: review.number, reason: disarmed.reason });
    }
    deps.reviews.update(review.number, { qa: "required", landing: "person", detail }, deps.now());
    await journal(deps, review.number, `PR #${review.prNumber}: ${detail}`);
  }
}

/**
 * A person's QA verdict on an item whose PR is open. Pass: Status In Review, the lock kept,
 * and a low-risk PR armed to merge itself. Fail: Status In Progress (it keeps the lock) and a
 * rework run on the same branch and PR, with the note in its prompt.
 */
export async function reviewQaVerdict(
  deps: LoopDeps,
  review: Review,
  verdict: "pass" | "fail",
  note: string | null,
): Promise<void> {
  const { config, mirror, queue, now } = deps;
  const item = mirror.get(review.itemId);
  const status = verdict === "pass" ? config.statuses.review : config.statuses.inProgress;
  if (item !== null) {
    const written = await deps.board.updateFields("qa verdict", item, { status });
    mirror.applyOwnWrite(item.itemId, { status }, written.updatedAt, now());
  }
  if (verdict === "fail") {
    const why = `QA failed${note ? `: ${note}` : ""}; a run reworks PR #${review.prNumber ?? "?"} on ${review.branch}.`;
    deps.transaction(() => {
      deps.reviews.update(review.number, { state: "rework", qa: "failed", note: note, detail: why }, now());
      queue.setState(review.number, "queued", { notBefore: 0, reason: why });
      queue.setVerdict(review.number, "requeued", why);
    });
    return;
  }
  let detail = `QA passed${note ? `: ${note}` : ""}; `;
  if (review.tier === "low" && review.prId !== null) {
    const facts = await repoFacts(deps, review.base);
    const auto = facts.autoMergeAllowed;
    const result = await deps.board.pullRequests.decorate(review.prId, {
      labelIds: [],
      copilotReview: false,
      autoMerge: auto ? { method: facts.mergeQueue ? null : mergeMethod(deps, facts) } : null,
      ready: false,
    });
    const landing = await settleLanding(
      deps,
      review,
      facts,
      { id: review.prId, headRefOid: review.headSha },
      auto ? (result.refused.autoMerge ?? null) : "not allowed",
    );
    deps.reviews.update(review.number, { qa: "passed", landing: landing.landing }, now());
    detail += landing.detail;
  } else {
    deps.reviews.update(review.number, { qa: "passed" }, now());
    detail += "the PR waits for a person's merge.";
  }
  deps.reviews.update(review.number, { detail }, now());
  queue.setVerdict(review.number, "in_review", detail);
}

async function journal(deps: LoopDeps, number: number, detail: string): Promise<void> {
  await deps
    .journal("pull_request", number, detail)
    .catch((error: unknown) => deps.log("journal_failed", { number, error: String(error) }));
}
