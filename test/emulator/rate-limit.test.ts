import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { analyzeOperation } from "../../emulator/graphql/query-analysis.ts";
import { githubSchema } from "../../emulator/schema/github-schema.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { Kind, parse, type OperationDefinitionNode } from "graphql";
import { at, graphql } from "./support.ts";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.rateLimiter.reset();
});

const pageQuery = `{ organization(login: "phoenix-agentic") { projectV2(number: 1) {
  items(first: 100) { nodes { id fieldValues(first: 50) { nodes { __typename } } } } } }
  rateLimit { cost limit remaining used resetAt nodeCount } }`;

function costOf(query: string): { cost: number; nodeCount: number } {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operation === undefined) throw new Error("no operation");
  const { cost, nodeCount, errors } = analyzeOperation(githubSchema(), operation, [], {});
  expect(errors).toEqual([]);
  return { cost, nodeCount };
}

describe("rate limit", () => {
  it("charges one point for a page of 100 items with 50 field values each", async () => {
    const reply = await graphql(emulator.url, pageQuery);
    expect(at(reply.body.data, "rateLimit")).toMatchObject({
      cost: 1,
      limit: 5000,
      remaining: 4999,
      used: 1,
      nodeCount: 5100,
    });
    expect(reply.headers.get("x-ratelimit-remaining")).toBe("4999");
    expect(reply.headers.get("x-ratelimit-used")).toBe("1");
    expect(reply.headers.get("x-ratelimit-resource")).toBe("graphql");
    const again = await graphql(emulator.url, pageQuery);
    expect(at(again.body.data, "rateLimit", "remaining")).toBe(4998);
  });

  it("follows GitHub's documented formula for nested connections", () => {
    // 1 request for items + 100 for their field values = 101 → 1 point; 5,100 nodes.
    expect(
      costOf(
        `{ node(id: "x") { ... on ProjectV2 { items(first: 100) { nodes { fieldValues(first: 50) { totalCount } } } } } }`,
      ),
    ).toEqual({
      cost: 1,
      nodeCount: 5100,
    });
    // 1 + 100 + 100×100 = 10,101 requests → 101 points.
    expect(
      costOf(`{ organization(login: "o") { projectsV2(first: 100) { nodes { items(first: 100) { nodes {
        fieldValues(first: 10) { totalCount } } } } } } }`).cost,
    ).toBe(101);
    expect(costOf(`mutation { closeIssue(input: { issueId: "x" }) { issue { id } } }`).cost).toBe(1);
  });

  it("answers RATE_LIMITED with HTTP 200 once the hourly budget is spent", async () => {
    emulator.rateLimiter.configure({ remaining: 0 });
    const reply = await graphql(emulator.url, pageQuery);
    expect(reply.status).toBe(200);
    expect(reply.body.errors?.[0]?.type).toBe("RATE_LIMITED");
    expect(reply.headers.get("x-ratelimit-remaining")).toBe("0");
  });

  it("forces a secondary rate limit on the next requests through the admin API", async () => {
    const forced = await fetch(`${emulator.url}/_emulator/rate-limit`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ secondary: { requests: 2, retryAfterSeconds: 1 } }),
    });
    expect(forced.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const limited = await fetch(`${emulator.url}/graphql`, {
        method: "POST",
        headers: { authorization: "bearer t", "content-type": "application/json" },
        body: JSON.stringify({ query: "{ viewer { login } }" }),
      });
      expect(limited.status).toBe(403);
      expect(limited.headers.get("retry-after")).toBe("1");
      expect(await limited.json()).toMatchObject({ message: expect.stringMatching(/secondary rate limit/) });
    }
    const after = await graphql(emulator.url, "{ viewer { login } }");
    expect(after.status).toBe(200);
  });
});
