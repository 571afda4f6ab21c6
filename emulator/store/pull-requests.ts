/**
 * Pull requests as GitHub keeps them: opened from a branch onto a base (refusing an unknown
 * branch, no commits between them, or an open PR for the same head and base, in GitHub's
 * words), edited, closed, reopened, drafted and readied, with review requests; their head,
 * commits and files follow the repo's git data. Merging lives in merges.ts.
 */
import type { EmulatorStore } from "./emulator-store.ts";
import { closingReferences } from "./closing-keywords.ts";
import { databaseId, nodeId, NodePrefix } from "./ids.ts";
import type { PullLoop } from "./pull-loop.ts";
import type { Account } from "./pull-state-schema.ts";
import type { PullRequest, Repo } from "./state-schema.ts";
import { type PullRequestChanges, unprocessable } from "./store-events.ts";

export interface NewPullRequest {
  repo: Repo;
  baseRefName: string;
  headRefName: string;
  title: string;
  body: string;
  draft: boolean;
  actor: string;
}

export class PullRequests {
  readonly #store: EmulatorStore;
  readonly #loop: PullLoop;

  constructor(store: EmulatorStore, loop: PullLoop) {
    this.#store = store;
    this.#loop = loop;
  }

  openFor(repo: string): PullRequest[] {
    return this.#store.state.pullRequests.filter((p) => p.repo === repo && p.state === "OPEN");
  }

  /** The issue ids a body closes: only for a PR onto the default branch, as on GitHub. */
  closingIssueIds(repo: Repo, body: string, baseRefName: string): string[] {
    if (baseRefName !== repo.defaultBranch) return [];
    return closingReferences(body, `${repo.owner}/${repo.name}`).flatMap(
      (ref) => this.#store.issueByNumber(ref.repo, ref.number)?.id ?? [],
    );
  }

  create(input: NewPullRequest): PullRequest {
    const repo = input.repo;
    const nameWithOwner = `${repo.owner}/${repo.name}`;
    const head = input.headRefName.startsWith(`${repo.owner}:`)
      ? input.headRefName.slice(repo.owner.length + 1)
      : input.headRefName;
    const git = this.#loop.git.backend(repo);
    const headBranch = git.branch(head);
    const baseBranch = git.branch(input.baseRefName);
    const comparison = headBranch && baseBranch ? git.compare(baseBranch.name, headBranch.name) : null;
    const problems = [
      ...(headBranch === null ? ["Head sha can't be blank"] : []),
      ...(headBranch === null || baseBranch === null ? ["Base sha can't be blank"] : []),
      ...(comparison === null || comparison.commits.length === 0
        ? [`No commits between ${input.baseRefName} and ${head}`]
        : []),
      ...(headBranch === null ? ["Head ref must be a branch"] : []),
      ...(baseBranch === null ? ["Base ref must be a branch"] : []),
    ];
    if (problems.length > 0) throw unprocessable(problems.join(", "));
    if (
      this.openFor(nameWithOwner).some((p) => p.headRefName === head && p.baseRefName === input.baseRefName)
    )
      throw unprocessable(`A pull request already exists for ${repo.owner}:${head}.`);
    if (comparison === null) throw unprocessable(`No commits between ${input.baseRefName} and ${head}`);
    const used = [...this.#store.state.issues, ...this.#store.state.pullRequests].filter(
      (r) => r.repo === nameWithOwner,
    );
    const number = Math.max(0, ...used.map((r) => r.number)) + 1;
    const key = `pr:${nameWithOwner}#${number}`;
    const at = this.#store.now();
    const pr: PullRequest = {
      id: nodeId(NodePrefix.pullRequest, key),
      databaseId: databaseId(key),
      repo: nameWithOwner,
      number,
      title: input.title,
      body: input.body,
      state: "OPEN",
      closes: this.closingIssueIds(repo, input.body, input.baseRefName),
      headRefName: head,
      baseRefName: input.baseRefName,
      headRefOid: comparison.headOid,
      baseRefOid: comparison.baseOid,
      isDraft: input.draft,
      labels: [],
      assignees: [],
      reviewRequests: [],
      autoMerge: null,
      commits: comparison.commits,
      files: comparison.files,
      mergedBy: null,
      mergeCommitOid: null,
      author: this.#store.account(input.actor).login,
      createdAt: at,
      updatedAt: at,
      closedAt: null,
      mergedAt: null,
    };
    this.#store.state.pullRequests.push(pr);
    this.#store.register({ kind: "pullRequest", record: pr });
    this.#store.emit({ type: "pullRequest", action: "opened", pullRequest: pr, actor: input.actor });
    return pr;
  }

  /** Re-reads head, base, commits and files from git; true when the head moved. */
  refresh(pr: PullRequest): boolean {
    const repo = this.#loop.git.repo(pr.repo);
    const comparison = this.#loop.git.backend(repo).compare(pr.baseRefName, pr.headRefName);
    if (comparison === null) return false;
    const moved = comparison.headOid !== pr.headRefOid;
    Object.assign(pr, {
      headRefOid: comparison.headOid,
      baseRefOid: comparison.baseOid,
      commits: comparison.commits,
      files: comparison.files,
    });
    return moved;
  }

  /** After a push to the head branch: GitHub's `synchronize`. */
  synchronize(pr: PullRequest, actor: string): void {
    const before = pr.headRefOid;
    if (!this.refresh(pr)) return;
    pr.updatedAt = this.#store.now();
    this.#store.emit({
      type: "pullRequest",
      action: "synchronize",
      pullRequest: pr,
      actor,
      before,
      after: pr.headRefOid,
    });
  }

  update(
    pr: PullRequest,
    input: { title?: string | null; body?: string | null; baseRefName?: string | null },
    actor: string,
  ): PullRequest {
    const repo = this.#loop.git.repo(pr.repo);
    const changes: PullRequestChanges = {};
    if (input.title != null && input.title !== pr.title) {
      changes.title = { from: pr.title };
      pr.title = input.title;
    }
    if (input.body != null && input.body !== pr.body) {
      changes.body = { from: pr.body };
      pr.body = input.body;
    }
    if (input.baseRefName != null && input.baseRefName !== pr.baseRefName) {
      if (this.#loop.git.backend(repo).branch(input.baseRefName) === null)
        throw unprocessable(`Proposed base branch '${input.baseRefName}' was not found`);
      changes.base = { ref: { from: pr.baseRefName }, sha: { from: pr.baseRefOid } };
      pr.baseRefName = input.baseRefName;
      this.refresh(pr);
    }
    if (Object.keys(changes).length === 0) return pr;
    if (changes.body !== undefined || changes.base !== undefined)
      pr.closes = this.closingIssueIds(repo, pr.body, pr.baseRefName);
    pr.updatedAt = this.#store.now();
    this.#store.emit({ type: "pullRequest", action: "edited", pullRequest: pr, actor, changes });
    return pr;
  }

  close(pr: PullRequest, actor: string): PullRequest {
    if (pr.state !== "OPEN") return pr;
    this.refresh(pr);
    const at = this.#store.now();
    Object.assign(pr, { state: "CLOSED", closedAt: at, updatedAt: at, autoMerge: null });
    this.#store.emit({ type: "pullRequest", action: "closed", pullRequest: pr, actor });
    return pr;
  }

  reopen(pr: PullRequest, actor: string): PullRequest {
    if (pr.state === "MERGED") throw unprocessable("Pull request is already merged");
    if (pr.state === "OPEN") return pr;
    const repo = this.#loop.git.repo(pr.repo);
    if (this.#loop.git.backend(repo).branch(pr.headRefName) === null)
      throw unprocessable("Could not reopen the pull request: its head branch was deleted");
    this.refresh(pr);
    Object.assign(pr, { state: "OPEN", closedAt: null, updatedAt: this.#store.now() });
    this.#store.emit({ type: "pullRequest", action: "reopened", pullRequest: pr, actor });
    return pr;
  }

  setDraft(pr: PullRequest, draft: boolean, actor: string): PullRequest {
    if (pr.state !== "OPEN") throw unprocessable("Pull request is not open");
    if (pr.isDraft === draft) return pr;
    pr.isDraft = draft;
    pr.updatedAt = this.#store.now();
    if (draft) pr.autoMerge = null;
    const action = draft ? "converted_to_draft" : "ready_for_review";
    this.#store.emit({ type: "pullRequest", action, pullRequest: pr, actor });
    return pr;
  }

  /** Asks people and bots to review; `union` adds to the requests instead of replacing them. */
  requestReviews(pr: PullRequest, reviewers: readonly Account[], union: boolean, actor: string): PullRequest {
    const repo = this.#loop.git.repo(pr.repo);
    if (reviewers.some((r) => r.login === pr.author))
      throw unprocessable("Review cannot be requested from pull request author.");
    const outsiders = reviewers.filter(
      (r) => r.type === "User" && repo.collaborators.length > 0 && !repo.collaborators.includes(r.login),
    );
    if (outsiders.length > 0)
      throw unprocessable(
        `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${pr.repo} repository.`,
      );
    const wanted = reviewers.map((r) => r.login);
    const removed = union ? [] : pr.reviewRequests.filter((login) => !wanted.includes(login));
    const added = wanted.filter((login) => !pr.reviewRequests.includes(login));
    pr.reviewRequests = [...pr.reviewRequests.filter((login) => !removed.includes(login)), ...added];
    if (added.length + removed.length > 0) pr.updatedAt = this.#store.now();
    for (const reviewer of removed)
      this.#store.emit({
        type: "pullRequest",
        action: "review_request_removed",
        pullRequest: pr,
        actor,
        reviewer,
      });
    for (const reviewer of added)
      this.#store.emit({ type: "pullRequest", action: "review_requested", pullRequest: pr, actor, reviewer });
    return pr;
  }
}
