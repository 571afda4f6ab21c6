import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { at, graphql } from "./support.ts";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

const boardQuery = `query Board($org: String!, $number: Int!, $after: String) {
  organization(login: $org) { projectV2(number: $number) { id title updatedAt
    fields(first: 100) { nodes { ... on ProjectV2FieldCommon { id name dataType }
      ... on ProjectV2SingleSelectField { options { id name } } } }
    items(first: 100, after: $after) { pageInfo { hasNextPage endCursor } totalCount
      nodes { id type isArchived updatedAt
        fieldValues(first: 50) { nodes { __typename
          ... on ProjectV2ItemFieldTextValue { text field { ... on ProjectV2FieldCommon { id name } } }
          ... on ProjectV2ItemFieldSingleSelectValue { optionId name field { ... on ProjectV2FieldCommon { id name } } } } }
        content { __typename ... on DraftIssue { id title }
          ... on Issue { id number title issueState: state closed repository { nameWithOwner } }
          ... on PullRequest { id number title prState: state closed merged repository { nameWithOwner } } } } } } }
  rateLimit { limit cost remaining used resetAt nodeCount } }`;

describe("GraphQL validation", () => {
  it("executes the board listing query the board client sends", async () => {
    const reply = await graphql(emulator.url, boardQuery, { org: "phoenix-agentic", number: 1 });
    expect(reply.status).toBe(200);
    expect(reply.body.errors).toBeUndefined();
    const project = at(reply.body.data, "organization", "projectV2");
    expect(at(project, "title")).toBe("Phoenix Agentic Delivery");
    expect(at(project, "items", "totalCount")).toBe(21);
    const nodes = at(project, "items", "nodes");
    expect(Array.isArray(nodes)).toBe(true);
    const first = at(nodes, 0);
    expect(at(first, "content", "number")).toBe(42);
    expect(at(first, "content", "repository", "nameWithOwner")).toBe(
      "phoenix-agentic/Phoenix-Agentic-Engine-Backend",
    );
    const values = at(first, "fieldValues", "nodes");
    expect(values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ __typename: "ProjectV2ItemFieldSingleSelectValue", name: "In Progress" }),
        expect.objectContaining({ __typename: "ProjectV2ItemFieldTextValue", text: "gateway" }),
      ]),
    );
  });

  it("rejects a misspelled field with GitHub's undefinedField error", async () => {
    const reply = await graphql(
      emulator.url,
      `
        {
          organization(login: "phoenix-agentic") {
            projectV2(number: 1) {
              titel
            }
          }
        }
      `,
    );
    expect(reply.status).toBe(200);
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors?.[0]).toMatchObject({
      message: "Field 'titel' doesn't exist on type 'ProjectV2'",
      extensions: { code: "undefinedField", typeName: "ProjectV2", fieldName: "titel" },
      locations: [{ line: 5, column: 15 }],
    });
  });

  it("rejects a connection without first or last", async () => {
    const reply = await graphql(
      emulator.url,
      `
        {
          organization(login: "phoenix-agentic") {
            projectV2(number: 1) {
              items {
                nodes {
                  id
                }
              }
            }
          }
        }
      `,
    );
    expect(reply.body.errors?.[0]).toMatchObject({
      type: "MISSING_PAGINATION_BOUNDARIES",
      message: "You must provide a `first` or `last` value to properly paginate the `items` connection.",
      path: ["query", "organization", "projectV2", "items"],
    });
    expect(reply.body.data).toBeUndefined();
  });

  it("rejects first: 101 as excessive pagination", async () => {
    const reply = await graphql(
      emulator.url,
      `
        query ($n: Int!) {
          organization(login: "phoenix-agentic") {
            projectV2(number: 1) {
              items(first: $n) {
                nodes {
                  id
                }
              }
            }
          }
        }
      `,
      { n: 101 },
    );
    expect(reply.body.errors?.[0]).toMatchObject({
      type: "EXCESSIVE_PAGINATION",
      message: "Requesting 101 records on the `items` connection exceeds the `first` limit of 100 records.",
    });
  });

  it("rejects unaliased Issue.state and PullRequest.state in one selection", async () => {
    const reply = await graphql(
      emulator.url,
      `
        {
          node(id: "x") {
            ... on ProjectV2Item {
              content {
                ... on Issue {
                  state
                }
                ... on PullRequest {
                  state
                }
              }
            }
          }
        }
      `,
    );
    expect(reply.body.errors?.[0]?.message).toMatch(
      /Fields "state" conflict because they return conflicting types/,
    );
  });

  it("rejects a query whose possible nodes exceed 500,000", async () => {
    const reply = await graphql(
      emulator.url,
      `
        {
          organization(login: "phoenix-agentic") {
            projectsV2(first: 100) {
              nodes {
                items(first: 100) {
                  nodes {
                    fieldValues(first: 100) {
                      totalCount
                    }
                  }
                }
              }
            }
          }
        }
      `,
    );
    expect(reply.body.errors?.[0]?.type).toBe("MAX_NODE_LIMIT_EXCEEDED");
  });

  it("serves blockedBy, blocking and the dependency summary the npm schema lacks", async () => {
    const reply = await graphql(
      emulator.url,
      `
        {
          repository(owner: "phoenix-agentic", name: "Phoenix-Agentic-Engine") {
            issue(number: 14) {
              blockedBy(first: 10) {
                totalCount
                nodes {
                  number
                  state
                }
              }
              issueDependenciesSummary {
                blockedBy
                totalBlockedBy
              }
            }
          }
        }
      `,
    );
    expect(reply.body.errors).toBeUndefined();
    expect(at(reply.body.data, "repository", "issue")).toEqual({
      blockedBy: { totalCount: 1, nodes: [{ number: 13, state: "OPEN" }] },
      issueDependenciesSummary: { blockedBy: 1, totalBlockedBy: 1 },
    });
  });

  it("answers an unknown issue number with a NOT_FOUND error and null data", async () => {
    const reply = await graphql(
      emulator.url,
      `
        {
          repository(owner: "phoenix-agentic", name: "Phoenix-Agentic-Engine") {
            issue(number: 999) {
              id
            }
          }
        }
      `,
    );
    expect(reply.body.errors?.[0]).toMatchObject({ type: "NOT_FOUND", path: ["repository", "issue"] });
    expect(at(reply.body.data, "repository", "issue")).toBeNull();
  });

  it("resolves nodes by id and reports unknown ids per element", async () => {
    const issue = emulator.store.issueByNumber("phoenix-agentic/Phoenix-Agentic-Engine-Backend", 42);
    const reply = await graphql(
      emulator.url,
      `
        query ($ids: [ID!]!) {
          nodes(ids: $ids) {
            id
            __typename
          }
        }
      `,
      {
        ids: [issue?.id, "I_missing"],
      },
    );
    expect(at(reply.body.data, "nodes")).toEqual([{ id: issue?.id, __typename: "Issue" }, null]);
    expect(reply.body.errors?.[0]).toMatchObject({ type: "NOT_FOUND", path: ["nodes", 1] });
  });

  it("refuses a request without a token with 401 Bad credentials", async () => {
    const reply = await fetch(`${emulator.url}/graphql`, {
      method: "POST",
      body: JSON.stringify({ query: "{ viewer { login } }" }),
    });
    expect(reply.status).toBe(401);
    expect(await reply.json()).toMatchObject({ message: "Bad credentials" });
  });

  it("accepts the token scheme as well as bearer", async () => {
    const reply = await graphql(emulator.url, "{ viewer { login } }", {}, "token ghp_example");
    expect(at(reply.body.data, "viewer", "login")).toBe("worker-factory-bot");
  });
});
