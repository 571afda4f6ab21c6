import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { agentTokenFor } from "../../worker/http/agent-token.ts";
import { BACKEND } from "./support/deliveries.ts";

const KEY = "test-agent-key";
const FRONTEND = "phoenix-agentic/Phoenix-Agentic-Website-Frontend";

function connect(repo: string, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { upgrade: "websocket" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return exports.default.fetch(`https://factory.test/agents/connect?repo=${encodeURIComponent(repo)}`, {
    headers,
  });
}

function nextFrame(socket: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    socket.addEventListener("message", (event) => resolve(JSON.parse(String(event.data))), { once: true });
  });
}

describe("GET /agents/connect", () => {
  it("refuses a missing token with 401 before the upgrade", async () => {
    const response = await connect(BACKEND, null);
    expect([response.status, response.webSocket]).toEqual([401, null]);
  });

  it("refuses another repo's token with 401", async () => {
    const response = await connect(BACKEND, await agentTokenFor(KEY, FRONTEND));
    expect(response.status).toBe(401);
  });

  it("refuses a repo outside the workspace with 401", async () => {
    const response = await connect("someone/elsewhere", await agentTokenFor(KEY, "someone/elsewhere"));
    expect(response.status).toBe(401);
  });

  it("upgrades with the repo's token, welcomes a hello, and refuses a frame for a run it does not know", async () => {
    const response = await connect(BACKEND, await agentTokenFor(KEY, BACKEND));
    expect(response.status).toBe(101);
    const socket = response.webSocket!;
    socket.accept();
    const welcome = nextFrame(socket);
    socket.send(JSON.stringify({ type: "hello", v: 1, agentId: "test-agent", capacity: 0, runs: [] }));
    expect(await welcome).toMatchObject({
      type: "welcome",
      v: 1,
      repo: BACKEND,
      leaseSeconds: 900,
      stopRuns: [],
    });
    const reply = nextFrame(socket);
    socket.send(JSON.stringify({ type: "heartbeat", id: "hb-1", runId: "no-such-run", fence: 7 }));
    expect(await reply).toMatchObject({ type: "reply", id: "hb-1", ok: false, error: "unknown_run" });
    socket.close(1000);
  });

  it("takes a scope_request as a frame of the protocol, refused for a run it does not know", async () => {
    const response = await connect(BACKEND, await agentTokenFor(KEY, BACKEND));
    const socket = response.webSocket!;
    socket.accept();
    const welcome = nextFrame(socket);
    socket.send(JSON.stringify({ type: "hello", v: 1, agentId: "test-agent", capacity: 0, runs: [] }));
    await welcome;
    const reply = nextFrame(socket);
    socket.send(
      JSON.stringify({
        type: "scope_request",
        id: "sr-1",
        runId: "no-such-run",
        fence: 7,
        paths: ["docs/a.md"],
      }),
    );
    expect(await reply).toMatchObject({ type: "reply", id: "sr-1", ok: false, error: "unknown_run" });
    socket.close(1000);
  });

  it("answers a malformed frame with a typed error frame", async () => {
    const response = await connect(BACKEND, await agentTokenFor(KEY, BACKEND));
    const socket = response.webSocket!;
    socket.accept();
    const error = nextFrame(socket);
    socket.send("{not json");
    expect(await error).toMatchObject({ type: "error", code: "invalid_message" });
    socket.close(1000);
  });
});
