import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BoardRequestError, BoardResponseError, RateLimitedError } from "../../worker/board/board-errors.ts";
import { GraphqlTransport, graphqlUrl } from "../../worker/board/graphql-transport.ts";
import { DEFAULT_RETRY, rateLimitSignal } from "../../worker/board/rate-limit-backoff.ts";

type Reply = { status?: number; headers?: Record<string, string>; body: unknown };

function transport(replies: Reply[], apiUrl = "https://api.github.com") {
  const urls: string[] = [];
  const authorizations: Array<string | null> = [];
  const sleeps: number[] = [];
  const fetchStub: typeof fetch = async (input, init) => {
    urls.push(String(input));
    authorizations.push(new Headers(init?.headers).get("authorization"));
    const reply = replies.shift() ?? { body: { data: {} } };
    return new Response(JSON.stringify(reply.body), {
      status: reply.status ?? 200,
      headers: { "content-type": "application/json", ...reply.headers },
    });
  };
  const client = new GraphqlTransport({
    apiUrl,
    authorization: async () => "bearer secret",
    fetch: fetchStub,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => 1_000_000,
    retry: DEFAULT_RETRY,
    userAgent: "test",
  });
  return { client, urls, authorizations, sleeps };
}

const Viewer = z.object({ viewer: z.object({ login: z.string() }) });
const ok = { body: { data: { viewer: { login: "bot" } } } };
const budgetHeaders = (used: number) => ({
  "x-ratelimit-limit": "5000",
  "x-ratelimit-remaining": String(5000 - used),
  "x-ratelimit-used": String(used),
  "x-ratelimit-reset": "2000",
});

describe("graphqlUrl", () => {
  it("maps github.com, GitHub Enterprise and the emulator to their GraphQL endpoints", () => {
    expect(graphqlUrl("https://api.github.com")).toBe("https://api.github.com/graphql");
    expect(graphqlUrl("https://ghe.example/api/v3/")).toBe("https://ghe.example/api/graphql");
    expect(graphqlUrl("http://127.0.0.1:4010")).toBe("http://127.0.0.1:4010/graphql");
  });
});

describe("GraphqlTransport", () => {
  it("posts to GitHub Enterprise's /api/graphql with the authorization header", async () => {
    const { client, urls, authorizations } = transport([ok], "https://ghe.example/api/v3");
    expect(await client.call("viewer", "{ viewer { login } }", {}, Viewer)).toEqual({
      viewer: { login: "bot" },
    });
    expect(urls).toEqual(["https://ghe.example/api/graphql"]);
    expect(authorizations).toEqual(["bearer secret"]);
  });

  it("charges a call without rateLimit (a mutation) one point, whatever others spent meanwhile", async () => {
    const { client } = transport([
      { ...ok, headers: budgetHeaders(10) },
      // Other clients of the same token spent 50 points between the two calls.
      { ...ok, headers: budgetHeaders(61) },
    ]);
    await client.call("first", "{ viewer { login } }", {}, Viewer);
    await client.call("second", "{ viewer { login } }", {}, Viewer);
    expect(client.budget()).toMatchObject({
      used: 61,
      remaining: 4939,
      limit: 5000,
      lastCost: 1,
      totalCost: 2,
      calls: 2,
      byKind: { first: { calls: 1, points: 1 }, second: { calls: 1, points: 1 } },
    });
  });

  it("prefers the rateLimit object of the answer", async () => {
    const rateLimit = { cost: 3, remaining: 4000, limit: 5000, used: 1000, resetAt: "2026-01-01T00:00:00Z" };
    const { client } = transport([{ body: { data: { viewer: { login: "bot" }, rateLimit } } }]);
    await client.call("viewer", "{ viewer { login } }", {}, Viewer);
    expect(client.budget()).toMatchObject({ lastCost: 3, remaining: 4000, resetAt: "2026-01-01T00:00:00Z" });
  });

  it("backs off exponentially on RATE_LIMITED errors without retry-after", async () => {
    const limited = {
      body: { data: null, errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded" }] },
    };
    const { client, sleeps } = transport([limited, limited, ok]);
    await client.call("viewer", "{ viewer { login } }", {}, Viewer);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it("backs off on a 403 that names the secondary rate limit", async () => {
    const secondary = { status: 403, body: { message: "You have exceeded a secondary rate limit." } };
    const { client, sleeps } = transport([secondary, ok]);
    await client.call("viewer", "{ viewer { login } }", {}, Viewer);
    expect(sleeps).toEqual([1000]);
  });

  it("does not retry a plain 403 and reports it with its status", async () => {
    const { client, sleeps } = transport([
      { status: 403, body: { message: "Resource not accessible by integration" } },
    ]);
    const error = await client
      .call("viewer", "{ viewer { login } }", {}, Viewer)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BoardRequestError);
    expect(error).toMatchObject({ status: 403, operation: "viewer" });
    expect(sleeps).toEqual([]);
  });

  it("stops after the allowed attempts with RateLimitedError", async () => {
    const limited = { status: 429, headers: { "retry-after": "2" }, body: { message: "slow down" } };
    const { client, sleeps } = transport(Array.from({ length: 5 }, () => limited));
    await expect(client.call("viewer", "{ viewer { login } }", {}, Viewer)).rejects.toBeInstanceOf(
      RateLimitedError,
    );
    expect(sleeps).toEqual([2000, 2000, 2000, 2000]);
  });

  it("refuses an answer of the wrong shape", async () => {
    const { client } = transport([{ body: { data: { viewer: { name: "x" } } } }]);
    await expect(client.call("viewer", "{ viewer { login } }", {}, Viewer)).rejects.toBeInstanceOf(
      BoardResponseError,
    );
  });

  it("returns partial data when the caller accepts the errors", async () => {
    const { client } = transport([
      { body: { data: { viewer: { login: "bot" } }, errors: [{ type: "NOT_FOUND", message: "gone" }] } },
    ]);
    const data = await client.call("viewer", "{ viewer { login } }", {}, Viewer, (errors) =>
      errors.every((error) => error.type === "NOT_FOUND"),
    );
    expect(data.viewer.login).toBe("bot");
  });
});

describe("rateLimitSignal", () => {
  it("waits for the reset of an exhausted window", () => {
    const error = {
      status: 403,
      message: "x",
      response: { headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1010" } },
    };
    expect(rateLimitSignal(error, 1_000_000)).toEqual({ limited: true, retryAfterMs: 11_000 });
  });

  it("ignores errors that are not rate limits", () => {
    expect(rateLimitSignal(new Error("boom"), 0)).toEqual({ limited: false });
    expect(rateLimitSignal({ status: 500, message: "x" }, 0)).toEqual({ limited: false });
  });
});
