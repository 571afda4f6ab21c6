import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileItemFilter, type FilterableItem } from "../../emulator/store/item-filter.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { at, graphql } from "./support.ts";

function item(values: Record<string, string>, overrides: Partial<FilterableItem> = {}): FilterableItem {
  return {
    archived: false,
    contentType: "Issue",
    open: true,
    repo: "o/r",
    title: "Something",
    values: new Map(Object.entries(values)),
    ...overrides,
  };
}

describe("project filter syntax", () => {
  it("matches a quoted value with spaces case-insensitively", () => {
    expect(compileItemFilter('status:"in progress"')(item({ status: "In Progress" }))).toBe(true);
  });

  it("treats comma-separated values as either", () => {
    const filter = compileItemFilter("status:Ready,Backlog");
    expect(filter(item({ status: "Backlog" }))).toBe(true);
    expect(filter(item({ status: "Done" }))).toBe(false);
  });

  it("excludes with a leading minus, including items without the field", () => {
    const filter = compileItemFilter("-status:Done");
    expect(filter(item({ status: "Done" }))).toBe(false);
    expect(filter(item({}))).toBe(true);
  });

  it("writes spaces in field names as hyphens or quotes", () => {
    expect(compileItemFilter("lock-key:gateway")(item({ "lock-key": "gateway" }))).toBe(true);
    expect(compileItemFilter('"Lock Key":gateway')(item({ "lock-key": "gateway" }))).toBe(true);
  });

  it("supports no:, has:, is: and repo:", () => {
    expect(compileItemFilter("no:area")(item({}))).toBe(true);
    expect(compileItemFilter("has:area")(item({}))).toBe(false);
    expect(compileItemFilter("is:pr")(item({}, { contentType: "PullRequest" }))).toBe(true);
    expect(compileItemFilter("is:closed")(item({}, { open: false }))).toBe(true);
    expect(compileItemFilter("repo:O/R")(item({}))).toBe(true);
  });

  it("leaves archived items out unless asked for", () => {
    expect(compileItemFilter("status:Done")(item({ status: "Done" }, { archived: true }))).toBe(false);
    expect(compileItemFilter("is:archived")(item({}, { archived: true }))).toBe(true);
  });
});

describe("ProjectV2.items(query:)", () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function numbers(query: string): Promise<unknown[]> {
    const reply = await graphql(
      emulator.url,
      `
        query ($q: String) {
          organization(login: "phoenix-agentic") {
            projectV2(number: 1) {
              items(first: 100, query: $q) {
                totalCount
                nodes {
                  content {
                    ... on Issue {
                      number
                    }
                    ... on PullRequest {
                      number
                    }
                  }
                }
              }
            }
          }
        }
      `,
      { q: query },
    );
    expect(reply.body.errors).toBeUndefined();
    const nodes = at(reply.body.data, "organization", "projectV2", "items", "nodes");
    return Array.isArray(nodes) ? nodes.map((node) => at(node, "content", "number")) : [];
  }

  it("returns only the items the filter selects", async () => {
    expect(
      await numbers("status:Backlog area:gateway,worker repo:phoenix-agentic/Phoenix-Agentic-Engine-Backend"),
    ).toEqual([57, 64]);
  });

  it("finds the item with no Area and the human's claim", async () => {
    expect(await numbers("no:area is:issue")).toEqual([72]);
    expect(await numbers('"claim owner":alice lock-key:gateway')).toEqual([42]);
  });

  it("reads everything not done with a negated status", async () => {
    const open = await numbers("-status:Done");
    expect(open).not.toContain(40);
    expect(open).toContain(42);
    expect(open.length).toBe(19);
  });
});
