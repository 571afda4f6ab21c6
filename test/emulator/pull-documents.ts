/**
 * The GraphQL documents of the pull-request loop as the Worker would send them (open or adopt
 * a PR, label it, request reviews, enable auto-merge, follow it, clean up, assign Copilot).
 * The emulator tests run them with @octokit/graphql, check each against GitHub's schema, and
 * measure what each costs.
 */

/** The repo, its merge settings, the branch's head, an open PR for it, a label, an issue. */
export const REPO_FOR_PR = `query RepoForPr($owner: String!, $name: String!, $head: String!, $label: String!, $issue: Int!) {
  repository(owner: $owner, name: $name) {
    id
    autoMergeAllowed mergeCommitAllowed squashMergeAllowed rebaseMergeAllowed deleteBranchOnMerge
    viewerDefaultMergeMethod
    defaultBranchRef { name target { oid } }
    ref(qualifiedName: $head) { id name target { oid } }
    pullRequests(headRefName: $head, states: [OPEN], first: 1) { nodes { id number url } }
    label(name: $label) { id name }
    issue(number: $issue) { id state }
  }
  rateLimit { cost }
}`;

export const CREATE_PULL_REQUEST = `mutation CreatePullRequest($repositoryId: ID!, $base: String!, $head: String!, $title: String!, $body: String!, $draft: Boolean) {
  createPullRequest(input: { repositoryId: $repositoryId, baseRefName: $base, headRefName: $head, title: $title, body: $body, draft: $draft }) {
    pullRequest {
      id number url isDraft headRefName headRefOid baseRefName
      closingIssuesReferences(first: 10) { nodes { number repository { nameWithOwner } } }
    }
  }
}`;

export const CREATE_LABEL = `mutation CreateLabel($repositoryId: ID!, $name: String!, $color: String!, $description: String) {
  createLabel(input: { repositoryId: $repositoryId, name: $name, color: $color, description: $description }) {
    label { id name color }
  }
}`;

export const ADD_LABELS = `mutation AddLabels($labelableId: ID!, $labelIds: [ID!]!) {
  addLabelsToLabelable(input: { labelableId: $labelableId, labelIds: $labelIds }) {
    labelable { ... on PullRequest { labels(first: 10) { nodes { name } } } }
  }
}`;

export const SUGGESTED_ACTORS = `query SuggestedActors($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) {
    suggestedActors(capabilities: [CAN_BE_ASSIGNED], first: 100) {
      nodes { login __typename ... on Bot { id } ... on User { id } }
    }
  }
}`;

export const REQUEST_REVIEWS = `mutation RequestReviews($pullRequestId: ID!, $userIds: [ID!], $botIds: [ID!]) {
  requestReviews(input: { pullRequestId: $pullRequestId, userIds: $userIds, botIds: $botIds, union: true }) {
    pullRequest { reviewRequests(first: 10) { nodes { requestedReviewer { __typename ... on User { login } ... on Bot { login } } } } }
  }
}`;

export const REQUEST_COPILOT_REVIEW = `mutation RequestCopilotReview($pullRequestId: ID!) {
  requestReviewsByLogin(input: { pullRequestId: $pullRequestId, botLogins: ["copilot-pull-request-reviewer[bot]"], union: true }) {
    pullRequest { reviewRequests(first: 10) { totalCount } }
  }
}`;

export const ENABLE_AUTO_MERGE = `mutation EnableAutoMerge($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod }) {
    pullRequest { autoMergeRequest { mergeMethod enabledAt enabledBy { login } } }
  }
}`;

export const DISABLE_AUTO_MERGE = `mutation DisableAutoMerge($pullRequestId: ID!) {
  disablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId }) { pullRequest { autoMergeRequest { mergeMethod } } }
}`;

/** Everything the Worker follows on one PR: state, merge state, checks, diff size, linked issues. */
export const PULL_REQUEST_STATE = `query PullRequestState($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      id state merged mergedAt isDraft mergeable mergeStateStatus
      mergedBy { login }
      mergeCommit { oid }
      headRefName headRefOid baseRefName baseRefOid
      headRef { id }
      autoMergeRequest { mergeMethod }
      changedFiles additions deletions
      commits(last: 1) { totalCount nodes { commit { oid statusCheckRollup { state } } } }
      statusCheckRollup { state contexts(first: 20) { nodes { __typename ... on CheckRun { name status conclusion } ... on StatusContext { context state } } } }
      closingIssuesReferences(first: 10) { nodes { number state stateReason } }
      labels(first: 10) { nodes { name } }
    }
  }
  rateLimit { cost }
}`;

export const PULL_REQUEST_FILES = `query PullRequestFiles($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      commits(first: 100) { totalCount nodes { commit { oid messageHeadline } } }
      files(first: 100) { nodes { path additions deletions changeType } }
    }
  }
}`;

export const ISSUE_CLOSED_BY = `query IssueClosedBy($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    issue(number: $number) {
      state stateReason
      closedByPullRequestsReferences(first: 10) { nodes { number state merged } }
      assignedActors(first: 10) { nodes { __typename ... on Bot { login } ... on User { login } } }
    }
  }
}`;

export const MERGE_PULL_REQUEST = `mutation MergePullRequest($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod, $expectedHeadOid: GitObjectID) {
  mergePullRequest(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod, expectedHeadOid: $expectedHeadOid }) {
    pullRequest { state merged mergeCommit { oid } }
  }
}`;

export const CLOSE_PULL_REQUEST = `mutation ClosePullRequest($pullRequestId: ID!) {
  closePullRequest(input: { pullRequestId: $pullRequestId }) { pullRequest { state merged } }
}`;

export const UPDATE_PULL_REQUEST = `mutation UpdatePullRequest($pullRequestId: ID!, $title: String, $body: String) {
  updatePullRequest(input: { pullRequestId: $pullRequestId, title: $title, body: $body }) {
    pullRequest { title closingIssuesReferences(first: 10) { nodes { number } } }
  }
}`;

export const MARK_READY = `mutation MarkReady($pullRequestId: ID!) {
  markPullRequestReadyForReview(input: { pullRequestId: $pullRequestId }) { pullRequest { isDraft } }
}`;

export const DELETE_REF = `mutation DeleteRef($refId: ID!) { deleteRef(input: { refId: $refId }) { clientMutationId } }`;

export const ASSIGN_ACTORS = `mutation AssignActors($assignableId: ID!, $actorIds: [ID!]!, $baseRef: String) {
  replaceActorsForAssignable(input: { assignableId: $assignableId, actorIds: $actorIds, agentAssignment: { baseRef: $baseRef } }) {
    assignable { ... on Issue { assignedActors(first: 10) { nodes { __typename ... on Bot { login } ... on User { login } } } assignees(first: 10) { nodes { login } } } }
  }
}`;

/** Every document above, by name: the schema test validates them all. */
export const PULL_DOCUMENTS = {
  REPO_FOR_PR,
  CREATE_PULL_REQUEST,
  CREATE_LABEL,
  ADD_LABELS,
  SUGGESTED_ACTORS,
  REQUEST_REVIEWS,
  REQUEST_COPILOT_REVIEW,
  ENABLE_AUTO_MERGE,
  DISABLE_AUTO_MERGE,
  PULL_REQUEST_STATE,
  PULL_REQUEST_FILES,
  ISSUE_CLOSED_BY,
  MERGE_PULL_REQUEST,
  CLOSE_PULL_REQUEST,
  UPDATE_PULL_REQUEST,
  MARK_READY,
  DELETE_REF,
  ASSIGN_ACTORS,
} as const;
