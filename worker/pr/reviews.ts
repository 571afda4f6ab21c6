/**
 * The RepoQueue's pull requests: one row per item whose run succeeded, from the PR's opening
 * through QA and review to its merge or close — the branch and base, the PR, its review tier
 * and QA, how it lands (auto-merge, a person, merged by us once green), its head and checks,
 * and the run's work (kept to retry an opening that failed). While a row is open the item
 * holds its lock (locks follow the code). Plain module over SQLite.
 */
import type { RiskLevel } from "../config/workspace-config.ts";
import type { RunWork } from "../protocol/messages.ts";
import type { Sql } from "../queue/sql.ts";
import type { CheckMap } from "./check-rollup.ts";

export const REVIEWS_SCHEMA = `
  CREATE TABLE reviews (
    number INTEGER PRIMARY KEY,
    item_id TEXT NOT NULL,
    state TEXT NOT NULL,
    branch TEXT NOT NULL,
    base TEXT NOT NULL,
    pr_number INTEGER,
    pr_id TEXT,
    pr_url TEXT,
    head_sha TEXT,
    tier TEXT NOT NULL,
    tier_why TEXT NOT NULL,
    qa TEXT NOT NULL,
    landing TEXT NOT NULL,
    checks TEXT NOT NULL,
    work TEXT NOT NULL,
    run_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    detail TEXT NOT NULL,
    opened_at INTEGER,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX reviews_pr ON reviews (pr_number);
  CREATE INDEX reviews_head ON reviews (head_sha);
`;

/**
 * `opening`: the PR is still to be opened (or adopted), retried on the agenda. `open`: it
 * waits for QA, checks or a merge. `rework`: QA failed, a run reworks it on the same branch.
 * `merged` and `closed`: done; the lock was released.
 */
export type ReviewState = "opening" | "open" | "rework" | "merged" | "closed";
/** `required` → `passed`/`failed` by a person; `skipped` when the change alters no behaviour. */
export type QaStage = "required" | "skipped" | "passed" | "failed";
/**
 * `auto_merge`: GitHub merges it when its checks pass. `when_green`: Worker Factory merges it
 * when they pass (no branch protection to arm auto-merge on). `person`: a person merges.
 */
export type Landing = "auto_merge" | "when_green" | "person";

export interface Review {
  number: number;
  itemId: string;
  state: ReviewState;
  branch: string;
  base: string;
  prNumber: number | null;
  prId: string | null;
  prUrl: string | null;
  headSha: string | null;
  tier: RiskLevel;
  tierWhy: string;
  qa: QaStage;
  landing: Landing;
  checks: CheckMap;
  work: RunWork;
  runId: string;
  attempt: number;
  /** Failed attempts at opening the PR. */
  tries: number;
  /** Why it was sent back or closed, for the item's next run. */
  note: string | null;
  /** What happened last, in words (shown with the item). */
  detail: string;
  openedAt: number | null;
  updatedAt: number;
}

type Row = {
  number: number;
  item_id: string;
  state: string;
  branch: string;
  base: string;
  pr_number: number | null;
  pr_id: string | null;
  pr_url: string | null;
  head_sha: string | null;
  tier: string;
  tier_why: string;
  qa: string;
  landing: string;
  checks: string;
  work: string;
  run_id: string;
  attempt: number;
  tries: number;
  note: string | null;
  detail: string;
  opened_at: number | null;
  updated_at: number;
};

const LIVE = "('opening', 'open', 'rework')";

export class Reviews {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  get(number: number): Review | null {
    const row = this.#sql.exec<Row>("SELECT * FROM reviews WHERE number = ?", number).toArray()[0];
    return row ? toReview(row) : null;
  }

  /** The item's review while its PR is live (opening, open or in rework). */
  live(number: number): Review | null {
    const review = this.get(number);
    return review !== null && isLive(review) ? review : null;
  }

  byPullRequest(prNumber: number): Review | null {
    const row = this.#sql.exec<Row>("SELECT * FROM reviews WHERE pr_number = ?", prNumber).toArray()[0];
    return row ? toReview(row) : null;
  }

  byHead(sha: string): Review[] {
    return this.#sql
      .exec<Row>(`SELECT * FROM reviews WHERE head_sha = ? AND state IN ${LIVE}`, sha)
      .toArray()
      .map(toReview);
  }

  /** Live reviews, oldest first. */
  list(): Review[] {
    return this.#sql
      .exec<Row>(`SELECT * FROM reviews WHERE state IN ${LIVE} ORDER BY updated_at, number`)
      .toArray()
      .map(toReview);
  }

  /** The latest reviews, live or not, newest first (for the dashboard). */
  recent(limit: number): Review[] {
    return this.#sql
      .exec<Row>("SELECT * FROM reviews ORDER BY updated_at DESC, number LIMIT ?", limit)
      .toArray()
      .map(toReview);
  }

  put(review: Review): void {
    this.#sql.exec(
      `INSERT OR REPLACE INTO reviews (number, item_id, state, branch, base, pr_number, pr_id, pr_url, head_sha,
         tier, tier_why, qa, landing, checks, work, run_id, attempt, tries, note, detail, opened_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      review.number,
      review.itemId,
      review.state,
      review.branch,
      review.base,
      review.prNumber,
      review.prId,
      review.prUrl,
      review.headSha,
      review.tier,
      review.tierWhy,
      review.qa,
      review.landing,
      JSON.stringify(review.checks),
      JSON.stringify(review.work),
      review.runId,
      review.attempt,
      review.tries,
      review.note,
      review.detail,
      review.openedAt,
      review.updatedAt,
    );
  }

  update(number: number, change: Partial<Review>, now: number): Review | null {
    const current = this.get(number);
    if (current === null) return null;
    const next = { ...current, ...change, updatedAt: now };
    this.put(next);
    return next;
  }

  /** Finished reviews older than `before` go (the live ones stay whatever their age). */
  prune(before: number): void {
    this.#sql.exec(`DELETE FROM reviews WHERE state NOT IN ${LIVE} AND updated_at < ?`, before);
  }
}

export function isLive(review: Pick<Review, "state">): boolean {
  return review.state === "opening" || review.state === "open" || review.state === "rework";
}

function toReview(row: Row): Review {
  return {
    number: row.number,
    itemId: row.item_id,
    state: row.state as ReviewState,
    branch: row.branch,
    base: row.base,
    prNumber: row.pr_number,
    prId: row.pr_id,
    prUrl: row.pr_url,
    headSha: row.head_sha,
    tier: row.tier as RiskLevel,
    tierWhy: row.tier_why,
    qa: row.qa as QaStage,
    landing: row.landing as Landing,
    // Written by `put` from a Review in this same table.
    checks: JSON.parse(row.checks) as CheckMap,
    work: JSON.parse(row.work) as RunWork,
    runId: row.run_id,
    attempt: row.attempt,
    tries: row.tries,
    note: row.note,
    detail: row.detail,
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
  };
}
