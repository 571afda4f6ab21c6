import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { loopSeed } from "./git-fixture.ts";
import { at, startHookReceiver, type HookReceiver } from "./support.ts";

let emulator: RunningEmulator;
let receiver: HookReceiver;
let sha: string;
beforeAll(async () => {
  receiver = await startHookReceiver();
  emulator = await startEmulator({
    seed: loopSeed({ branches: [{ name: "feature/x", commits: ["feat: x"] }] }),
    tokens: ["ghs_rest"],
    webhook: { url: receiver.url, secret: "s" },
  });
  sha = emulator.store.state.branches.find((b) => b.name === "feature/x")?.oid ?? "";
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
});
afterEach(async () => {
  await fetch(`${emulator.url}/_emulator/reset`, { method: "POST" });
  await emulator.webhooksIdle();
  receiver.received.length = 0;
});

async function rest(method: string, path: string, body?: unknown, token = "ghs_rest") {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text === "" ? null : (JSON.parse(text) as unknown),
  };
}

describe("the repository REST API", () => {
  it("lists a branch's check runs, latest per name, in GitHub's shape", async () => {
    const created = await rest("POST", "/repos/acme/widgets/check-runs", {
      name: "ci",
      head_sha: sha,
      status: "in_progress",
    });
    expect(created.status).toBe(201);
    const id = at(created.json, "id");
    const done = await rest("PATCH", `/repos/acme/widgets/check-runs/${String(id)}`, {
      status: "completed",
      conclusion: "success",
    });
    expect(at(done.json, "conclusion")).toBe("success");
    const list = await rest("GET", "/repos/acme/widgets/commits/feature/x/check-runs");
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({
      total_count: 1,
      check_runs: [
        {
          id,
          name: "ci",
          head_sha: sha,
          status: "completed",
          conclusion: "success",
          app: { slug: "github-actions" },
        },
      ],
    });
    expect(list.headers.get("x-ratelimit-resource")).toBe("core");
    expect(Number(list.headers.get("x-ratelimit-used"))).toBeGreaterThan(0);
  });

  it("combines a commit's statuses as GitHub does: pending until every context succeeds", async () => {
    expect((await rest("GET", `/repos/acme/widgets/commits/${sha}/status`)).json).toMatchObject({
      state: "pending",
      total_count: 0,
    });
    await rest("POST", `/repos/acme/widgets/statuses/${sha}`, { state: "pending", context: "ci" });
    await rest("POST", `/repos/acme/widgets/statuses/${sha}`, {
      state: "success",
      context: "ci",
      description: "green",
    });
    const combined = await rest("GET", `/repos/acme/widgets/commits/${sha}/status`);
    expect(combined.json).toMatchObject({
      state: "success",
      sha,
      total_count: 1,
      statuses: [
        { context: "ci", state: "success", description: "green", creator: { login: "worker-factory-bot" } },
      ],
    });
    await emulator.webhooksIdle();
    expect(receiver.received.map((h) => h.headers["x-github-event"])).toEqual(["status", "status"]);
    expect(receiver.received[1]?.json).toMatchObject({
      sha,
      state: "success",
      context: "ci",
      branches: [{ name: "feature/x" }],
    });
  });

  it("deletes a branch with 204 and answers 422 Reference does not exist the second time", async () => {
    const deleted = await rest("DELETE", "/repos/acme/widgets/git/refs/heads/feature/x");
    expect(deleted.status).toBe(204);
    const again = await rest("DELETE", "/repos/acme/widgets/git/refs/heads/feature/x");
    expect(again.status).toBe(422);
    expect(again.json).toMatchObject({ message: "Reference does not exist" });
    await emulator.webhooksIdle();
    expect(receiver.received.map((h) => h.headers["x-github-event"])).toEqual(["delete", "push"]);
    expect(receiver.received[0]?.json).toMatchObject({
      ref: "feature/x",
      ref_type: "branch",
      sender: { login: "worker-factory-bot" },
    });
  });

  it("creates a label and refuses the same name with GitHub's validation error", async () => {
    const created = await rest("POST", "/repos/acme/widgets/labels", { name: "risk:high", color: "b60205" });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: "risk:high", color: "b60205", default: false });
    const again = await rest("POST", "/repos/acme/widgets/labels", { name: "risk:high", color: "b60205" });
    expect(again.status).toBe(422);
    expect(again.json).toMatchObject({
      message: "Validation Failed",
      errors: [{ resource: "Label", code: "already_exists", field: "name" }],
    });
    expect((await rest("GET", "/repos/acme/widgets/labels/risk:high")).status).toBe(200);
  });

  it("answers a bad token with 401 Bad credentials and an unknown repo with 404", async () => {
    const denied = await rest("GET", `/repos/acme/widgets/commits/${sha}/status`, undefined, "wrong");
    expect(denied.status).toBe(401);
    expect(denied.json).toMatchObject({ message: "Bad credentials" });
    expect((await rest("GET", `/repos/acme/nope/commits/${sha}/status`)).status).toBe(404);
  });

  it("refuses requests with 403 once the core budget is spent", async () => {
    await fetch(`${emulator.url}/_emulator/rate-limit`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ resource: "core", remaining: 0 }),
    });
    const limited = await rest("GET", `/repos/acme/widgets/commits/${sha}/status`);
    expect(limited.status).toBe(403);
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(String(at(limited.json, "message"))).toMatch(/^API rate limit exceeded/);
  });
});
