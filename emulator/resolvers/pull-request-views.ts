/**
 * The GraphQL views of a pull request and of a label. An open PR's head, commits and files
 * are read from its repo's git data at query time (a push shows at once); a merged or closed
 * one shows what it had. Mergeability, merge state, auto-merge, review requests, closing
 * issue references and the status-check rollup come from the store. Used by the other views.
 */
import type { Comparison } from "../git/git-backend.ts";
import type { EmulatorStore } from "../store/emulator-store.ts";
import type { Label } from "../store/pull-state-schema.ts";
import type { PullRequest } from "../store/state-schema.ts";
import { actorView } from "./actor-views.ts";
import { connection } from "./connection.ts";
import { commonView, issueView } from "./content-views.ts";
import { commitView, refView, rollupView } from "./git-views.ts";
import { repoView } from "./repo-view.ts";

const web = "https://github.com";

export function labelView(store: EmulatorStore, label: Label): Record<string, unknown> {
  const repo = store.repo(label.repo);
  const path = `/${label.repo}/labels/${encodeURIComponent(label.name)}`;
  return {
    __typename: "Label",
    id: label.id,
    name: label.name,
    color: label.color,
    description: label.description,
    isDefault: label.isDefault,
    createdAt: label.createdAt,
    updatedAt: label.updatedAt,
    url: `${web}${path}`,
    resourcePath: path,
    repository: repo === undefined ? null : repoView(store, repo),
    issues: (args: unknown) =>
      connection(
        store.state.issues.filter((i) => i.labels.includes(label.id)),
        args,
        (i) => issueView(store, i),
      ),
    pullRequests: (args: unknown) =>
      connection(
        store.state.pullRequests.filter((p) => p.labels.includes(label.id)),
        args,
        (p) => pullRequestView(store, p),
      ),
  };
}

/** The PR's comparison now: live from git while open, its record once merged or closed. */
function comparisonOf(store: EmulatorStore, pr: PullRequest): () => Comparison {
  let cached: Comparison | undefined;
  return () => {
    if (cached !== undefined) return cached;
    const repo = store.repo(pr.repo);
    const live =
      pr.state === "OPEN" && repo !== undefined
        ? store.loop.git.backend(repo).compare(pr.baseRefName, pr.headRefName)
        : null;
    cached = live ?? {
      baseOid: pr.baseRefOid,
      headOid: pr.headRefOid,
      commits: pr.commits,
      files: pr.files,
      behindBy: 0,
    };
    return cached;
  };
}

export function pullRequestView(store: EmulatorStore, pr: PullRequest): Record<string, unknown> {
  const repo = store.repo(pr.repo);
  const compare = comparisonOf(store, pr);
  const branchRef = (name: string) => {
    if (repo === undefined) return null;
    const branch = store.loop.git.backend(repo).branch(name);
    return branch === null ? null : refView(store, repo, branch);
  };
  const path = `/${pr.repo}/pull/${pr.number}`;
  const auto = pr.autoMerge;
  return {
    __typename: "PullRequest",
    ...commonView(store, pr, "pull"),
    state: pr.state,
    merged: pr.state === "MERGED",
    mergedAt: pr.mergedAt,
    mergedBy: pr.mergedBy === null ? null : actorView(pr.mergedBy),
    isDraft: pr.isDraft,
    permalink: `${web}${path}`,
    checksUrl: `${web}${path}/checks`,
    checksResourcePath: `${path}/checks`,
    headRefName: pr.headRefName,
    baseRefName: pr.baseRefName,
    headRefOid: () => compare().headOid,
    baseRefOid: () => compare().baseOid,
    headRef: () => branchRef(pr.headRefName),
    baseRef: () => branchRef(pr.baseRefName),
    headRepository: repo === undefined ? null : () => repoView(store, repo),
    baseRepository: repo === undefined ? null : () => repoView(store, repo),
    isCrossRepository: false,
    maintainerCanModify: true,
    isInMergeQueue: false,
    isMergeQueueEnabled: false,
    commits: (args: unknown) =>
      connection(compare().commits, args, (commit) => ({
        __typename: "PullRequestCommit",
        id: `${pr.id}:${commit.oid}`,
        url: `${web}${path}/commits/${commit.oid}`,
        resourcePath: `${path}/commits/${commit.oid}`,
        commit: repo === undefined ? null : commitView(store, repo, commit.oid, commit),
        pullRequest: () => pullRequestView(store, pr),
      })),
    files: (args: unknown) =>
      connection(compare().files, args, (file) => ({ ...file, viewerViewedState: "UNVIEWED" })),
    changedFiles: () => compare().files.length,
    additions: () => compare().files.reduce((n, f) => n + f.additions, 0),
    deletions: () => compare().files.reduce((n, f) => n + f.deletions, 0),
    mergeable: () => store.loop.merges.mergeable(pr),
    mergeStateStatus: () => store.loop.merges.mergeStateStatus(pr),
    canBeRebased: () => store.loop.merges.mergeable(pr) === "MERGEABLE",
    mergeCommit: () =>
      repo === undefined || pr.mergeCommitOid === null ? null : commitView(store, repo, pr.mergeCommitOid),
    statusCheckRollup: () => (repo === undefined ? null : rollupView(store, repo, compare().headOid)),
    autoMergeRequest:
      auto === null
        ? null
        : {
            mergeMethod: auto.mergeMethod,
            enabledAt: auto.enabledAt,
            enabledBy: actorView(auto.enabledBy),
            commitHeadline: auto.commitHeadline,
            commitBody: auto.commitBody,
            authorEmail: null,
            pullRequest: () => pullRequestView(store, pr),
          },
    viewerCanEnableAutoMerge: () =>
      pr.state === "OPEN" && auto === null && repo?.settings.autoMergeAllowed === true,
    viewerCanDisableAutoMerge: auto !== null,
    viewerCanMergeAsAdmin: false,
    reviewDecision: pr.reviewRequests.length > 0 ? "REVIEW_REQUIRED" : null,
    reviewRequests: (args: unknown) =>
      connection(pr.reviewRequests, args, (login) => ({
        __typename: "ReviewRequest",
        id: `${pr.id}:review:${login}`,
        asCodeOwner: false,
        requestedReviewer: actorView(login),
        pullRequest: () => pullRequestView(store, pr),
      })),
    closingIssuesReferences: (args: unknown) =>
      connection(
        pr.closes.map((id) => store.issue(id)),
        args,
        (i) => issueView(store, i),
      ),
  };
}
