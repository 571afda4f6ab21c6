/**
 * The GraphQL documents of the board client, kept slim because nested connections multiply
 * their cost (DESIGN "The GitHub API budget"). Every query also selects `rateLimit`; a
 * mutation cannot (the Mutation type has no such field), so its cost comes from headers.
 * Pure strings and builders; the board client and the emulator tests use them.
 */
import type { IssueRef } from "./board-item.ts";

const RATE_LIMIT = "rateLimit { cost remaining limit resetAt used }";

const FIELD_NAME = "field { ... on ProjectV2FieldCommon { name } }";

const FIELD_VALUES = `fieldValues(first: 20) {
    nodes {
      __typename
      ... on ProjectV2ItemFieldTextValue { text ${FIELD_NAME} }
      ... on ProjectV2ItemFieldSingleSelectValue { name optionId ${FIELD_NAME} }
      ... on ProjectV2ItemFieldNumberValue { number ${FIELD_NAME} }
      ... on ProjectV2ItemFieldDateValue { date ${FIELD_NAME} }
    }
  }`;

/**
 * One item with its field values and content. `Issue.state` and `PullRequest.state` have
 * different enum types, so the PR's is aliased (GitHub rejects the unaliased pair).
 */
const ITEM_FRAGMENT = `fragment BoardItemFields on ProjectV2Item {
  id
  type
  isArchived
  updatedAt
  ${FIELD_VALUES}
  content {
    __typename
    ... on Issue {
      id number title url body state stateReason
      repository { nameWithOwner }
      blockedBy(first: 10) { nodes { number state stateReason repository { nameWithOwner } } }
    }
    ... on PullRequest {
      id number title url prState: state merged
      repository { nameWithOwner }
      closingIssuesReferences(first: 10) { nodes { number repository { nameWithOwner } } }
    }
    ... on DraftIssue { id title }
  }
}`;

/** Project id, fields and single-select options (for field ids by name). */
export const PROJECT_FIELDS_QUERY = `query BoardProjectFields($org: String!, $number: Int!) {
  organization(login: $org) {
    projectV2(number: $number) {
      id
      title
      fields(first: 100) {
        nodes {
          ... on ProjectV2FieldCommon { id name dataType }
          ... on ProjectV2SingleSelectField { options { id name } }
        }
      }
    }
  }
  ${RATE_LIMIT}
}`;

/**
 * A page of up to 100 items with their values. `filter` is Projects' filter syntax
 * (`items(query:)`, e.g. `-status:Done`); the variable cannot be named `query` because
 * @octokit/graphql reserves that option.
 */
export const ITEMS_PAGE_QUERY = `query BoardItemsPage($org: String!, $number: Int!, $after: String, $filter: String) {
  organization(login: $org) {
    projectV2(number: $number) {
      items(first: 100, after: $after, query: $filter) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { ...BoardItemFields }
      }
    }
  }
  ${RATE_LIMIT}
}
${ITEM_FRAGMENT}`;

/**
 * The light scan: ids, `updatedAt` and the content's state, about one point per 100 items
 * (`content` is not a connection, so its state costs nothing more). Closing an issue need
 * not bump its project item's `updatedAt`, so the state is what catches a missed close.
 */
export const ITEMS_SCAN_QUERY = `query BoardItemsScan($org: String!, $number: Int!, $after: String, $filter: String) {
  organization(login: $org) {
    projectV2(number: $number) {
      items(first: 100, after: $after, query: $filter) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id updatedAt isArchived
          content { __typename ... on Issue { state stateReason } ... on PullRequest { prState: state } }
        }
      }
    }
  }
  ${RATE_LIMIT}
}`;

/** Who the board client writes as: its echoes carry this login as the webhook's `sender`. */
export const VIEWER_QUERY = `query BoardViewer {
  viewer { login }
  ${RATE_LIMIT}
}`;

/** Up to 100 items by node id (changed items after a scan, or after webhooks). */
export const ITEMS_BY_ID_QUERY = `query BoardItemsById($ids: [ID!]!) {
  nodes(ids: $ids) { ... on ProjectV2Item { ...BoardItemFields } }
  ${RATE_LIMIT}
}
${ITEM_FRAGMENT}`;

/** The read-back after a claim: one item's field values, nothing else. */
export const ITEM_READ_BACK_QUERY = `query BoardItemReadBack($id: ID!) {
  node(id: $id) { ... on ProjectV2Item { id updatedAt ${FIELD_VALUES} } }
  ${RATE_LIMIT}
}`;

export const MAX_NODE_IDS = 100;
export const MAX_ISSUES_PER_QUERY = 50;

export type BuiltDocument = { query: string; variables: Record<string, unknown> };

/** Issue states for refs, grouped by repo under aliases `r0`, `r1`… with issues `i<number>`. */
/**
 * Issue states by reference, with each issue's Status on the project (`statusField`), so a
 * dependency outside the reader's view still counts as complete when its Status is done.
 */
const PROJECT_STATUS = `projectItems(first: 10) { nodes { project { id } status: fieldValueByName(name: $sf) {
  ... on ProjectV2ItemFieldSingleSelectValue { name } ... on ProjectV2ItemFieldTextValue { text } } } }`;

export function issueStatesQuery(
  refs: readonly IssueRef[],
  statusField: string,
): BuiltDocument & { repos: string[] } {
  const byRepo = new Map<string, { repo: string; numbers: Set<number> }>();
  for (const ref of refs) {
    const key = ref.repo.toLowerCase();
    const entry = byRepo.get(key) ?? { repo: ref.repo, numbers: new Set<number>() };
    entry.numbers.add(ref.number);
    byRepo.set(key, entry);
  }
  const repos: string[] = [];
  const variables: Record<string, unknown> = { sf: statusField };
  const declarations: string[] = ["$sf: String!"];
  const selections: string[] = [];
  [...byRepo.values()].forEach((entry, index) => {
    const [owner = "", name = ""] = entry.repo.split("/");
    repos.push(entry.repo);
    variables[`o${index}`] = owner;
    variables[`n${index}`] = name;
    declarations.push(`$o${index}: String!`, `$n${index}: String!`);
    const issues = [...entry.numbers]
      .filter((number) => Number.isSafeInteger(number) && number > 0)
      .map((number) => `i${number}: issue(number: ${number}) { number state stateReason ${PROJECT_STATUS} }`);
    selections.push(
      `r${index}: repository(owner: $o${index}, name: $n${index}) { nameWithOwner ${issues.join(" ")} }`,
    );
  });
  const query = `query BoardIssueStates(${declarations.join(", ")}) {
  ${selections.join("\n  ")}
  ${RATE_LIMIT}
}`;
  return { query, variables, repos };
}

/** A text value, a single-select option, or null to clear the field. */
export type FieldWrite = { text: string } | { singleSelectOptionId: string } | null;
export type FieldUpdate = { fieldId: string; value: FieldWrite };

/**
 * One mutation document writing several fields of one item: aliased
 * `updateProjectV2ItemFieldValue` per value, `clearProjectV2ItemFieldValue` per null.
 */
export function fieldUpdatesMutation(
  projectId: string,
  itemId: string,
  updates: readonly FieldUpdate[],
): BuiltDocument {
  const declarations: string[] = [];
  const selections: string[] = [];
  const variables: Record<string, unknown> = {};
  updates.forEach((update, index) => {
    if (update.value === null) {
      declarations.push(`$f${index}: ClearProjectV2ItemFieldValueInput!`);
      selections.push(
        `f${index}: clearProjectV2ItemFieldValue(input: $f${index}) { projectV2Item { id updatedAt } }`,
      );
      variables[`f${index}`] = { projectId, itemId, fieldId: update.fieldId };
    } else {
      declarations.push(`$f${index}: UpdateProjectV2ItemFieldValueInput!`);
      selections.push(
        `f${index}: updateProjectV2ItemFieldValue(input: $f${index}) { projectV2Item { id updatedAt } }`,
      );
      variables[`f${index}`] = { projectId, itemId, fieldId: update.fieldId, value: update.value };
    }
  });
  const query = `mutation BoardFieldUpdates(${declarations.join(", ")}) {
  ${selections.join("\n  ")}
}`;
  return { query, variables };
}
