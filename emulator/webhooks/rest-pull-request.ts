/**
 * GitHub's REST representations of pull requests and issues, typed with
 * @octokit/openapi-webhooks-types (`pull-request-webhook`, `issue`, `pull-request-minimal`):
 * what `pull_request` and `issues` deliveries carry, built from the store at event time.
 */
import type { EmulatorStore } from "../store/emulator-store.ts";
import type { Issue, PullRequest } from "../store/state-schema.ts";
import { api, labelsOf, restRepository, simpleUser, web, type Schemas } from "./rest-shapes.ts";

const MERGEABLE_STATE = {
  BEHIND: "behind",
  BLOCKED: "blocked",
  CLEAN: "clean",
  DIRTY: "dirty",
  DRAFT: "draft",
  UNKNOWN: "unknown",
  UNSTABLE: "unstable",
} as const;

export const emptyReactions = {
  url: "",
  total_count: 0,
  "+1": 0,
  "-1": 0,
  laugh: 0,
  confused: 0,
  heart: 0,
  hooray: 0,
  eyes: 0,
  rocket: 0,
};

export function restPullRequest(store: EmulatorStore, pr: PullRequest) {
  const repo = store.loop.git.repo(pr.repo);
  const url = `${api}/repos/${pr.repo}/pulls/${pr.number}`;
  const issueUrl = `${api}/repos/${pr.repo}/issues/${pr.number}`;
  const html = `${web}/${pr.repo}/pull/${pr.number}`;
  const repository = restRepository(store, repo);
  const owner = repository.owner;
  const open = pr.state === "OPEN";
  const mergeable = open ? store.loop.merges.mergeable(pr) === "MERGEABLE" : null;
  const assignees = pr.assignees.map(simpleUser);
  const auto = pr.autoMerge;
  return {
    url,
    id: pr.databaseId,
    node_id: pr.id,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/repos/${pr.repo}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${api}/repos/${pr.repo}/statuses/${pr.headRefOid}`,
    number: pr.number,
    state: open ? "open" : "closed",
    locked: false,
    title: pr.title,
    user: simpleUser(pr.author),
    body: pr.body === "" ? null : pr.body,
    labels: labelsOf(store, pr.labels),
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitOid,
    assignee: assignees[0] ?? null,
    assignees,
    requested_reviewers: pr.reviewRequests.map(simpleUser),
    requested_teams: [],
    head: {
      label: `${repo.owner}:${pr.headRefName}`,
      ref: pr.headRefName,
      repo: repository,
      sha: pr.headRefOid,
      user: owner,
    },
    base: {
      label: `${repo.owner}:${pr.baseRefName}`,
      ref: pr.baseRefName,
      repo: repository,
      sha: pr.baseRefOid,
      user: owner,
    },
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issueUrl },
      comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${api}/repos/${pr.repo}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${api}/repos/${pr.repo}/statuses/${pr.headRefOid}` },
    },
    author_association: pr.author === repo.owner ? "OWNER" : "CONTRIBUTOR",
    auto_merge:
      auto === null
        ? null
        : {
            enabled_by: simpleUser(auto.enabledBy),
            merge_method:
              auto.mergeMethod === "MERGE" ? "merge" : auto.mergeMethod === "SQUASH" ? "squash" : "rebase",
            commit_title: auto.commitHeadline ?? "",
            commit_message: auto.commitBody ?? "",
          },
    draft: pr.isDraft,
    merged: pr.state === "MERGED",
    mergeable,
    rebaseable: mergeable,
    mergeable_state: MERGEABLE_STATE[store.loop.merges.mergeStateStatus(pr)],
    merged_by: pr.mergedBy === null ? null : simpleUser(pr.mergedBy),
    comments: store.loop.comments.of(pr.id).length,
    review_comments: 0,
    maintainer_can_modify: true,
    commits: pr.commits.length,
    additions: pr.files.reduce((n, f) => n + f.additions, 0),
    deletions: pr.files.reduce((n, f) => n + f.deletions, 0),
    changed_files: pr.files.length,
    allow_auto_merge: repo.settings.autoMergeAllowed,
    delete_branch_on_merge: repo.settings.deleteBranchOnMerge,
  } satisfies Schemas["pull-request-webhook"];
}

export function minimalPullRequest(store: EmulatorStore, pr: PullRequest): Schemas["pull-request-minimal"] {
  const repo = store.loop.git.repo(pr.repo);
  const ref = { id: repo.databaseId, url: `${api}/repos/${pr.repo}`, name: repo.name };
  return {
    id: pr.databaseId,
    number: pr.number,
    url: `${api}/repos/${pr.repo}/pulls/${pr.number}`,
    head: { ref: pr.headRefName, sha: pr.headRefOid, repo: ref },
    base: { ref: pr.baseRefName, sha: pr.baseRefOid, repo: ref },
  };
}

/** An issue, or a pull request as the issues API shows it (with `pull_request`). */
export function restIssue(store: EmulatorStore, issue: Issue | PullRequest) {
  const url = `${api}/repos/${issue.repo}/issues/${issue.number}`;
  const assignees = issue.assignees.map(simpleUser);
  const pr = "headRefName" in issue ? issue : null;
  const reason = "stateReason" in issue ? issue.stateReason : null;
  const pull = `${web}/${issue.repo}/pull/${issue.number}`;
  return {
    ...(pr === null
      ? {}
      : {
          pull_request: {
            url: `${api}/repos/${issue.repo}/pulls/${issue.number}`,
            html_url: pull,
            diff_url: `${pull}.diff`,
            patch_url: `${pull}.patch`,
            merged_at: pr.mergedAt,
          },
        }),
    id: issue.databaseId,
    node_id: issue.id,
    url,
    repository_url: `${api}/repos/${issue.repo}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: pr === null ? `${web}/${issue.repo}/issues/${issue.number}` : pull,
    number: issue.number,
    state: issue.state === "OPEN" ? ("open" as const) : ("closed" as const),
    state_reason:
      reason === null
        ? null
        : reason === "COMPLETED"
          ? "completed"
          : reason === "NOT_PLANNED"
            ? "not_planned"
            : reason === "DUPLICATE"
              ? "duplicate"
              : "reopened",
    title: issue.title,
    body: issue.body,
    user: simpleUser(issue.author),
    labels: labelsOf(store, issue.labels),
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: store.loop.comments.of(issue.id).length,
    closed_at: issue.closedAt,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    author_association: "MEMBER",
    reactions: { ...emptyReactions, url: `${url}/reactions` },
    timeline_url: `${url}/timeline`,
  } satisfies Schemas["issue"];
}
