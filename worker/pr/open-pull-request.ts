/**
 * A succeeded run becomes a pull request (DESIGN "From run to merge"): its review tier and QA
 * are decided from the change, a review row records it, the PR is opened from the run's branch
 * into the item's base — or the agent's own PR for that branch is adopted — with its
 * description, then decorated in one request: the tier label (created with the PR when the
 * repo lacks it), Copilot's review where the repo wants it, and for a low-risk change that
 * needs no QA, auto-merge. An opening that fails is retried on the agenda. Used by the repo loop.
 */
import type { BoardItem } from "../board/board-item.ts";
import { isFinished } from "../board/gate.ts";
import { itemBase } from "../board/item-base.ts";
import type { OpenedPullRequest, RepoFacts } from "../board/pull-request-calls.ts";
import type { RunWork } from "../protocol/messages.ts";
import type { LoopDeps } from "../queue/repo-loop.ts";
import type { Run } from "../queue/runs.ts";
import { closesOnMerge, pullRequestBody, pullRequestTitle } from "./pr-description.ts";
import { labelName, mergeMethod, rememberLabel, repoFacts } from "./repo-facts.ts";
import { decideReview } from "./review-tier.ts";
import type { Landing, Review } from "./reviews.ts";

export type PrDeps = LoopDeps;

const LABEL_STYLE = {
  low: { color: "0e8a16", description: "Worker Factory: low risk, merges itself when its checks pass" },
  medium: { color: "fbca04", description: "Worker Factory: medium risk, a person merges it" },
  high: { color: "d93f0b", description: "Worker Factory: high risk, a person reviews and merges it" },
} as const;

/** Backoff of a failed opening: a minute, doubling, at most an hour. */
export function openRetryAt(review: Pick<Review, "tries">, now: number): number {
  return now + Math.min(60 * 60_000, 60_000 * 2 ** Math.max(0, review.tries - 1));
}

const emptyWork = (): RunWork => ({
  pushed: false,
  head: null,
  summary: "",
  testing: [],
  subjects: [],
  files: [],
  filesChanged: 0,
  additions: 0,
  deletions: 0,
});

/**
 * Records the review of a succeeded run and says which Status the item takes: QA first, or
 * straight to review. A rework keeps its PR; its head and checks start again.
 */
export function beginReview(
  deps: PrDeps,
  run: Run,
  item: BoardItem,
  reported: { branch: string | null; work: RunWork | undefined },
): { review: Review; status: string } {
  const { config, repo, reviews, now } = deps;
  const branch = reported.branch ?? run.branch ?? "";
  const work = reported.work ?? emptyWork();
  const base = itemBase(item, repo, config);
  const decision = decideReview(repo, config, {
    area: item.fields.area ?? "",
    subjects: work.subjects,
    paths: work.files.map((file) => file.path),
  });
  const previous = reviews.live(run.number);
  const status = decision.qa === "required" ? config.statuses.qaRequired : config.statuses.review;
  const review: Review = {
    number: run.number,
    itemId: item.itemId,
    state: previous?.prNumber != null ? "open" : "opening",
    branch: previous?.branch ?? branch,
    base: previous?.base ?? (base.ok ? base.base : repo.baseBranch),
    prNumber: previous?.prNumber ?? null,
    prId: previous?.prId ?? null,
    prUrl: previous?.prUrl ?? null,
    headSha: work.head ?? previous?.headSha ?? null,
    tier: previous?.tier ?? decision.tier,
    tierWhy: previous?.tierWhy ?? decision.why,
    qa: decision.qa,
    landing: previous?.landing ?? (decision.tier === "low" ? "auto_merge" : "person"),
    checks: {},
    work,
    runId: run.runId,
    attempt: run.attempt,
    tries: 0,
    note: previous?.note ?? null,
    detail:
      previous?.prNumber != null
        ? `Run ${run.runId} pushed its rework onto PR #${previous.prNumber}.`
        : `Opening a PR from ${branch} (${decision.tier} risk: ${decision.why}).`,
    openedAt: previous?.openedAt ?? null,
    updatedAt: now(),
  };
  reviews.put(review);
  return { review, status };
}

/** Opens (or adopts) the PR of a review still `opening`, and decorates it; a failure is retried. */
export async function openReview(deps: PrDeps, number: number, agentPrUrl: string | null): Promise<void> {
  const review = deps.reviews.get(number);
  if (review === null || review.state !== "opening") return;
  const item = deps.mirror.get(review.itemId);
  if (item === null || isFinished(item, deps.config)) {
    // Done, closed or gone before its PR could be opened: nothing is left to open.
    deps.reviews.update(
      number,
      { state: "closed", detail: "The item finished before its PR was opened." },
      deps.now(),
    );
    return;
  }
  try {
    const facts = await repoFacts(deps, review.base);
    const labelId = facts.labels[review.tier];
    const opened = await openOrAdopt(deps, review, facts, item, agentPrUrl, labelId === null);
    if (opened.labelId !== null) rememberLabel(deps, review.base, review.tier, opened.labelId);
    const pr = opened.pullRequest;
    const landing = await decorate(deps, review, facts, pr, opened.labelId ?? labelId);
    const current = deps.reviews.update(
      number,
      {
        state: "open",
        prNumber: pr.number,
        prId: pr.id,
        prUrl: pr.url,
        headSha: pr.headRefOid ?? review.headSha,
        landing: landing.landing,
        detail: `${opened.adopted ? "Adopted" : "Opened"} PR #${pr.number} into ${review.base} (${review.tier} risk: ${review.tierWhy}); ${landing.detail}`,
        openedAt: deps.now(),
      },
      deps.now(),
    );
    deps.log("pull_request_opened", { number, pr: pr.number, adopted: opened.adopted, tier: review.tier });
    await deps
      .journal("pull_request", number, current?.detail ?? `PR #${pr.number}`)
      .catch((error: unknown) => deps.log("journal_failed", { number, error: String(error) }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const failed = deps.reviews.update(
      number,
      { tries: review.tries + 1, detail: `Opening the PR failed (try ${review.tries + 1}): ${reason}` },
      deps.now(),
    );
    deps.log("pull_request_open_failed", { number, tries: failed?.tries, reason });
    // The item keeps its lock meanwhile: the operator sees why in the meta queue.
    await deps
      .journal("pull_request", number, failed?.detail ?? reason)
      .catch((journalError: unknown) => deps.log("journal_failed", { number, error: String(journalError) }));
  }
}

async function openOrAdopt(
  deps: PrDeps,
  review: Review,
  facts: RepoFacts,
  item: BoardItem | null,
  agentPrUrl: string | null,
  createLabel: boolean,
): Promise<{ pullRequest: OpenedPullRequest; labelId: string | null; adopted: boolean }> {
  const calls = deps.board.pullRequests;
  // An agent that says it opened one, or an earlier try that may have: look first (one point).
  if (agentPrUrl !== null || review.tries > 0) {
    const found = await calls.openForHead(deps.repo.name, review.branch, review.base);
    if (found !== null) return { pullRequest: found, labelId: null, adopted: true };
  }
  const issue = { number: review.number, title: item?.title ?? `Issue #${review.number}` };
  const body = pullRequestBody({
    repo: deps.repo.name,
    issue,
    base: review.base,
    work: review.work,
    run: { runId: review.runId, attempt: review.attempt },
    tier: review.tier,
    tierWhy: review.tierWhy,
    qa: review.qa === "required" ? "required" : "skipped",
  });
  const label = createLabel ? { name: labelName(deps, review.tier), ...LABEL_STYLE[review.tier] } : null;
  const opened = await calls.open(
    {
      repositoryId: facts.repositoryId,
      base: review.base,
      head: review.branch,
      title: pullRequestTitle(issue),
      body,
      draft: false,
    },
    label,
  );
  if (opened.ok) {
    if (!closesOnMerge(body, review.base, facts.defaultBranch, `${deps.repo.name}#${review.number}`))
      deps.log("pull_request_no_closing_keyword", { number: review.number, base: review.base });
    return { pullRequest: opened.pullRequest, labelId: opened.labelId, adopted: false };
  }
  if (opened.exists) {
    const found = await calls.openForHead(deps.repo.name, review.branch, review.base);
    if (found !== null) return { pullRequest: found, labelId: null, adopted: true };
  }
  throw new Error(opened.reason);
}

/** Label, Copilot review and (low risk, no QA) auto-merge, in one request. */
async function decorate(
  deps: PrDeps,
  review: Review,
  facts: RepoFacts,
  pr: OpenedPullRequest,
  labelId: string | null,
): Promise<{ landing: Landing; detail: string }> {
  const landsItself = review.tier === "low" && review.qa !== "required";
  const autoMerge = landsItself && facts.autoMergeAllowed && !pr.isDraft;
  const method = facts.mergeQueue ? null : mergeMethod(deps, facts);
  const result = await deps.board.pullRequests.decorate(pr.id, {
    labelIds: labelId === null ? [] : [labelId],
    copilotReview: deps.repo.copilotReview,
    autoMerge: autoMerge ? { method } : null,
    ready: pr.isDraft,
  });
  const notes = Object.entries(result.refused).map(([part, why]) => `${part} refused: ${why}`);
  if (notes.length > 0) deps.log("pull_request_decoration_refused", { number: review.number, notes });
  if (!landsItself)
    return {
      landing: "person",
      detail: review.qa === "required" ? "QA comes first." : "a person merges it.",
    };
  return settleLanding(
    deps,
    review,
    facts,
    pr,
    autoMerge ? (result.refused.autoMerge ?? null) : "not allowed",
  );
}

/**
 * Where auto-merge could not be armed: a PR whose checks already passed is merged now; one on
 * a base without branch protection, or in a repo that forbids auto-merge, is merged by Worker
 * Factory once its checks pass.
 */
export async function settleLanding(
  deps: PrDeps,
  review: Pick<Review, "number">,
  facts: RepoFacts,
  pr: { id: string; headRefOid: string | null },
  refusal: string | null,
): Promise<{ landing: Landing; detail: string }> {
  if (refusal === null)
    return { landing: "auto_merge", detail: "auto-merge is armed: it merges when its checks pass." };
  if (/clean status|unstable status/i.test(refusal)) {
    const method = mergeMethod(deps, facts);
    const calls = deps.board.pullRequests;
    const merged = facts.mergeQueue
      ? await calls.enqueue(pr.id, pr.headRefOid)
      : method === null
        ? null
        : await calls.merge(pr.id, method, pr.headRefOid);
    if (merged?.ok === true)
      return {
        landing: "auto_merge",
        detail: facts.mergeQueue
          ? "its checks had passed: added to the merge queue."
          : "its checks had passed: merged at once.",
      };
    deps.log("pull_request_merge_failed", {
      number: review.number,
      reason: merged?.reason ?? "no merge method",
    });
  }
  return {
    landing: "when_green",
    detail: `auto-merge could not be armed (${refusal}): Worker Factory merges it when its checks pass.`,
  };
}
