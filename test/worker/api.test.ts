import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, BACKEND, getState, issuePayload, postDelivery } from "./support/deliveries.ts";

describe("operator API and health", () => {
  it("answers /healthz without a token", async () => {
    const response = await exports.default.fetch("https://factory.test/healthz");
    expect([response.status, await response.json()]).toEqual([
      200,
      { status: "ok", workspace: "phoenix", repos: 5 },
    ]);
  });

  for (const [what, header] of [
    ["no token", undefined],
    ["a wrong token", `Bearer ${ADMIN_TOKEN}x`],
    ["a token prefix", `Bearer ${ADMIN_TOKEN.slice(0, 5)}`],
    ["another scheme", `Basic ${ADMIN_TOKEN}`],
  ] as const) {
    it(`refuses /api/state with ${what}`, async () => {
      const response = await exports.default.fetch("https://factory.test/api/state", {
        headers: header ? { authorization: header } : {},
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: "admin token required" });
    });
  }

  it("shows recent deliveries with their outcome and each repo's queue", async () => {
    const response = await postDelivery(
      "issues",
      issuePayload(BACKEND, 57, "opened", "Worker telemetry logging"),
    );
    expect(response.status).toBe(202);
    await expect.poll(async () => (await getState()).deliveries[0]?.outcome).toBe("routed");
    const state = await getState();
    expect(state.deliveries[0]).toMatchObject({ event: "issues", outcome: "routed", repo: BACKEND });
    expect(state.repos).toHaveLength(5);
    // Its queue: the repo's Ready items from the board, each with the gate's verdict.
    const backend = state.repos.find((r) => r.name === BACKEND);
    expect(backend?.items).toContainEqual(expect.objectContaining({ number: 70, verdict: "runnable" }));
    expect(backend?.items).toContainEqual(expect.objectContaining({ number: 72, verdict: "triage" }));
  });

  it("serves the dashboard page as static assets, whose script reads /api/state with the admin token", async () => {
    const response = await env.ASSETS.fetch("https://factory.test/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("<title>Worker Factory</title>");
    expect(html).toContain('<script type="module" src="/app.js"></script>');
    const script = await (await env.ASSETS.fetch("https://factory.test/app.js")).text();
    expect(script).toContain("/api/state?deliveries=");
    expect(script).toContain("authorization");
  });

  it("answers unknown paths with a JSON 404", async () => {
    const response = await exports.default.fetch("https://factory.test/nope");
    expect([response.status, await response.json()]).toEqual([404, { error: "not found" }]);
  });
});
