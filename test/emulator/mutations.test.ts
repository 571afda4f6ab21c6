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

function fixture() {
  const store = emulator.store;
  const project = store.projectByNumber("phoenix-agentic", 1);
  const lockKey = project && store.fieldByName(project, "Lock Key");
  const status = project && store.fieldByName(project, "Status");
  const issue64 = store.issueByNumber("phoenix-agentic/Phoenix-Agentic-Engine-Backend", 64);
  const issue63 = store.issueByNumber("phoenix-agentic/Phoenix-Agentic-Engine-Backend", 63);
  const item64 = store.state.items.find((i) => i.content.id === issue64?.id);
  if (!project || !lockKey || !status || !issue64 || !issue63 || !item64) throw new Error("seed changed");
  return { project, lockKey, status, issue64, issue63, item64 };
}

describe("mutations", () => {
  it("writes a field twice in one aliased request, reads the last value back and costs one point", async () => {
    const { project, lockKey, item64 } = fixture();
    const reply = await graphql(
      emulator.url,
      `
        mutation ($p: ID!, $i: ID!, $f: ID!) {
          key: updateProjectV2ItemFieldValue(
            input: { projectId: $p, itemId: $i, fieldId: $f, value: { text: "gateway" } }
          ) {
            projectV2Item {
              id
            }
          }
          read: updateProjectV2ItemFieldValue(
            input: { projectId: $p, itemId: $i, fieldId: $f, value: { text: "gateway-2" } }
          ) {
            projectV2Item {
              fieldValueByName(name: "Lock Key") {
                ... on ProjectV2ItemFieldTextValue {
                  text
                }
              }
            }
          }
        }
      `,
      { p: project.id, i: item64.id, f: lockKey.id },
    );
    expect(reply.body.errors).toBeUndefined();
    expect(at(reply.body.data, "read", "projectV2Item", "fieldValueByName", "text")).toBe("gateway-2");
    expect(reply.headers.get("x-ratelimit-used")).toBe("1");
  });

  it("clears a field value", async () => {
    const { project, lockKey, item64 } = fixture();
    const reply = await graphql(
      emulator.url,
      `
        mutation ($p: ID!, $i: ID!, $f: ID!) {
          clearProjectV2ItemFieldValue(input: { projectId: $p, itemId: $i, fieldId: $f }) {
            projectV2Item {
              fieldValueByName(name: "Lock Key") {
                __typename
              }
            }
          }
        }
      `,
      { p: project.id, i: item64.id, f: lockKey.id },
    );
    expect(
      at(reply.body.data, "clearProjectV2ItemFieldValue", "projectV2Item", "fieldValueByName"),
    ).toBeNull();
  });

  it("refuses a text value for a single-select field and an option of another field", async () => {
    const { project, status, item64 } = fixture();
    const mutation = `mutation($p: ID!, $i: ID!, $f: ID!, $v: ProjectV2FieldValue!) {
      updateProjectV2ItemFieldValue(input: { projectId: $p, itemId: $i, fieldId: $f, value: $v }) { projectV2Item { id } } }`;
    const text = await graphql(emulator.url, mutation, {
      p: project.id,
      i: item64.id,
      f: status.id,
      v: { text: "Ready" },
    });
    expect(text.body.errors?.[0]?.type).toBe("UNPROCESSABLE");
    const option = await graphql(emulator.url, mutation, {
      p: project.id,
      i: item64.id,
      f: status.id,
      v: { singleSelectOptionId: "nope" },
    });
    expect(option.body.errors?.[0]?.message).toBe("The single select option Id does not belong to the field");
    expect(at(option.body.data, "updateProjectV2ItemFieldValue")).toBeNull();
  });

  it("adds and removes a blockedBy dependency", async () => {
    const { issue64, issue63 } = fixture();
    const add = await graphql(
      emulator.url,
      `
        mutation ($a: ID!, $b: ID!) {
          addBlockedBy(input: { issueId: $a, blockingIssueId: $b }) {
            issue {
              blockedBy(first: 5) {
                nodes {
                  number
                }
              }
            }
            blockingIssue {
              blocking(first: 5) {
                totalCount
              }
            }
          }
        }
      `,
      { a: issue64.id, b: issue63.id },
    );
    expect(at(add.body.data, "addBlockedBy")).toEqual({
      issue: { blockedBy: { nodes: [{ number: 63 }] } },
      blockingIssue: { blocking: { totalCount: 1 } },
    });
    const remove = await graphql(
      emulator.url,
      `
        mutation ($a: ID!, $b: ID!) {
          removeBlockedBy(input: { issueId: $a, blockingIssueId: $b }) {
            issue {
              blockedBy(first: 5) {
                totalCount
              }
            }
          }
        }
      `,
      { a: issue64.id, b: issue63.id },
    );
    expect(at(remove.body.data, "removeBlockedBy", "issue", "blockedBy", "totalCount")).toBe(0);
  });

  it("adds an issue to the project once and returns the existing item on a second add", async () => {
    const { project } = fixture();
    const created = await fetch(`${emulator.url}/_emulator/issues`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        repo: "phoenix-agentic/Phoenix-Agentic-Engine",
        title: "Loose issue",
        addToProject: false,
      }),
    });
    const issueId = at(await created.json(), "issueId");
    const add = `mutation($p: ID!, $c: ID!) { addProjectV2ItemById(input: { projectId: $p, contentId: $c }) { item { id type } } }`;
    const first = await graphql(emulator.url, add, { p: project.id, c: issueId });
    const second = await graphql(emulator.url, add, { p: project.id, c: issueId });
    expect(at(first.body.data, "addProjectV2ItemById", "item", "type")).toBe("ISSUE");
    expect(at(second.body.data, "addProjectV2ItemById", "item", "id")).toBe(
      at(first.body.data, "addProjectV2ItemById", "item", "id"),
    );
  });

  it("reads a pull request's closing issue references", async () => {
    const reply = await graphql(
      emulator.url,
      `
        {
          repository(owner: "phoenix-agentic", name: "Phoenix-Agentic-Engine-Backend") {
            issueOrPullRequest(number: 80) {
              ... on PullRequest {
                merged
                prState: state
                closingIssuesReferences(first: 5) {
                  nodes {
                    number
                  }
                }
              }
            }
          }
        }
      `,
    );
    expect(at(reply.body.data, "repository", "issueOrPullRequest")).toEqual({
      merged: false,
      prState: "OPEN",
      closingIssuesReferences: { nodes: [{ number: 42 }] },
    });
  });
});
