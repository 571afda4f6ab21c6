import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { largeBoardSeed } from "../../emulator/seed/large-board.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { at, graphql } from "./support.ts";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ seed: largeBoardSeed({ items: 1_234 }) });
});
afterAll(async () => {
  await emulator.close();
});

const scan = `query($after: String) { organization(login: "phoenix-agentic") { projectV2(number: 1) {
  items(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id updatedAt } } } }
  rateLimit { cost remaining } }`;

describe("pagination", () => {
  it("pages through a 1,234-item board in 13 pages of at most 100, one point each", async () => {
    const seen = new Set<unknown>();
    let after: unknown = null;
    let pages = 0;
    for (;;) {
      const reply = await graphql(emulator.url, scan, { after });
      expect(reply.body.errors).toBeUndefined();
      const items = at(reply.body.data, "organization", "projectV2", "items");
      expect(at(items, "totalCount")).toBe(1_234);
      expect(at(reply.body.data, "rateLimit", "cost")).toBe(1);
      const nodes = at(items, "nodes");
      if (!Array.isArray(nodes)) throw new Error("no nodes");
      expect(nodes.length).toBeLessThanOrEqual(100);
      for (const node of nodes) seen.add(at(node, "id"));
      pages += 1;
      if (at(items, "pageInfo", "hasNextPage") !== true) break;
      after = at(items, "pageInfo", "endCursor");
    }
    expect(pages).toBe(13);
    expect(seen.size).toBe(1_234);
    expect(emulator.rateLimiter.snapshot().used).toBe(13);
  });

  it("pages backwards with last and before", async () => {
    const reply = await graphql(
      emulator.url,
      `
        {
          organization(login: "phoenix-agentic") {
            projectV2(number: 1) {
              items(last: 2) {
                pageInfo {
                  hasPreviousPage
                  startCursor
                }
                nodes {
                  content {
                    ... on Issue {
                      number
                    }
                  }
                }
              }
            }
          }
        }
      `,
    );
    const items = at(reply.body.data, "organization", "projectV2", "items");
    expect(at(items, "nodes")).toEqual([{ content: { number: 1_233 } }, { content: { number: 1_234 } }]);
    expect(at(items, "pageInfo", "hasPreviousPage")).toBe(true);
  });

  it("refuses a cursor it did not issue", async () => {
    const reply = await graphql(emulator.url, scan, { after: "bm90LWEtY3Vyc29y" });
    expect(reply.body.errors?.[0]?.message).toBe("`bm90LWEtY3Vyc29y` does not appear to be a valid cursor.");
  });
});
