/**
 * The GraphQL documents of a run's pull request, each one point: the repo's merge facts and
 * tier labels, an open PR for a head branch (to adopt), opening the PR (with its tier label
 * when the repo lacks it), decorating it in one request (label, Copilot review, auto-merge),
 * merging it, and closing its issue. Pure strings and builders; pull-request-calls.ts sends
 * them, the emulator tests validate them against GitHub's schema.
 */

const RATE_LIMIT = "rateLimit { cost remaining limit resetAt used }";

/** The login GitHub's Copilot code review is requested from. */
export const COPILOT_REVIEWER = "copilot-pull-request-reviewer[bot]";

/** Merge settings, the base's merge queue, and the ids of the three tier labels (null when missing). */
export const REPO_FACTS_QUERY = `query PullRequestRepoFacts($owner: String!, $name: String!, $base: String!, $low: String!, $medium: String!, $high: String!) {
  repository(owner: $owner, name: $name) {
    id
    autoMergeAllowed mergeCommitAllowed squashMergeAllowed rebaseMergeAllowed deleteBranchOnMerge
    viewerDefaultMergeMethod
    defaultBranchRef { name }
    mergeQueue(branch: $base) { id }
    low: label(name: $low) { id }
    medium: label(name: $medium) { id }
    high: label(name: $high) { id }
  }
  ${RATE_LIMIT}
}`;

/** Open PRs from a head branch: the one an agent opened itself is adopted. */
export const PULL_REQUEST_FOR_HEAD_QUERY = `query PullRequestForHead($owner: String!, $name: String!, $head: String!) {
  repository(owner: $owner, name: $name) {
    pullRequests(headRefName: $head, states: [OPEN], first: 5) {
      nodes { id number url baseRefName headRefOid isDraft body }
    }
  }
  ${RATE_LIMIT}
}`;

const PR_FIELDS = "id number url headRefOid isDraft";

/** Opens the PR; with `label`, creates the tier label in the same request. */
export function openPullRequestMutation(withLabel: boolean): string {
  return `mutation OpenPullRequest($pr: CreatePullRequestInput!${withLabel ? ", $label: CreateLabelInput!" : ""}) {
  pr: createPullRequest(input: $pr) { pullRequest { ${PR_FIELDS} } }${
    withLabel ? "\n  label: createLabel(input: $label) { label { id name } }" : ""
  }
}`;
}

export type Decoration = {
  labelIds: readonly string[];
  copilotReview: boolean;
  /** Arm auto-merge (with this method, or the merge queue's when null). */
  autoMerge: { method: string | null } | null;
  /** A draft opened at claim time becomes ready for review. */
  ready: boolean;
};

/** The label, the Copilot review, readiness and auto-merge of one PR, as one request (one point). */
export function decorateMutation(decoration: Decoration): {
  query: string;
  variables: Record<string, unknown>;
} {
  const declarations = ["$id: ID!"];
  const selections: string[] = [];
  const variables: Record<string, unknown> = {};
  if (decoration.ready)
    selections.push(
      "ready: markPullRequestReadyForReview(input: { pullRequestId: $id }) { clientMutationId }",
    );
  if (decoration.labelIds.length > 0) {
    declarations.push("$labels: [ID!]!");
    variables.labels = decoration.labelIds;
    selections.push(
      "labels: addLabelsToLabelable(input: { labelableId: $id, labelIds: $labels }) { clientMutationId }",
    );
  }
  if (decoration.copilotReview)
    selections.push(
      `review: requestReviewsByLogin(input: { pullRequestId: $id, botLogins: ["${COPILOT_REVIEWER}"], union: true }) { clientMutationId }`,
    );
  if (decoration.autoMerge !== null) {
    const method = decoration.autoMerge.method;
    if (method !== null) {
      declarations.push("$mergeMethod: PullRequestMergeMethod!");
      variables.mergeMethod = method;
    }
    selections.push(
      `autoMerge: enablePullRequestAutoMerge(input: { pullRequestId: $id${method === null ? "" : ", mergeMethod: $mergeMethod"} }) { pullRequest { autoMergeRequest { mergeMethod } } }`,
    );
  }
  return {
    query: `mutation DecoratePullRequest(${declarations.join(", ")}) {\n  ${selections.join("\n  ")}\n}`,
    variables,
  };
}

export const MERGE_PULL_REQUEST_MUTATION = `mutation MergeRunPullRequest($id: ID!, $mergeMethod: PullRequestMergeMethod!, $head: GitObjectID) {
  mergePullRequest(input: { pullRequestId: $id, mergeMethod: $mergeMethod, expectedHeadOid: $head }) { pullRequest { merged } }
}`;

export const CLOSE_ISSUE_MUTATION = `mutation CloseMergedIssue($id: ID!) {
  closeIssue(input: { issueId: $id, stateReason: COMPLETED }) { issue { state stateReason } }
}`;

/** Adds the PR to its base's merge queue (a base with one: GitHub merges it when its turn passes). */
export const ENQUEUE_PULL_REQUEST_MUTATION = `mutation EnqueueRunPullRequest($id: ID!, $head: GitObjectID) {
  enqueuePullRequest(input: { pullRequestId: $id, expectedHeadOid: $head }) { mergeQueueEntry { id position } }
}`;

/** Disarms auto-merge (a change sent to QA must not merge itself meanwhile). */
export const DISABLE_AUTO_MERGE_MUTATION = `mutation DisarmRunPullRequest($id: ID!) {
  disablePullRequestAutoMerge(input: { pullRequestId: $id }) { pullRequest { id } }
}`;
