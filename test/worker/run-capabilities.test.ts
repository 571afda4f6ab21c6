// Run capabilities: a run's frames act only when they prove the secret its dispatch carried.
// No other test of this project connects an agent for Engine-Interface, so no other claims
// this file's item (and its agent claims nobody else's) on the project's shared board.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it, vi } from "vitest";
import { agentTokenFor } from "../../worker/http/agent-token.ts";
import { Dispatch, frameId, ServerMessage } from "../../worker/protocol/messages.ts";
import { getState } from "./support/deliveries.ts";

const REPO = "phoenix-agentic/Phoenix-Agentic-Engine-Interface";
const NUMBER = 9101;

interface Agent {
  socket: WebSocket;
  frames: ServerMessage[];
  reply(frame: Record<string, unknown> & { id: string }): Promise<ServerMessage>;
}

async function connect(agentId: string, capacity: number): Promise<Agent> {
  const token = await agentTokenFor("test-agent-key", REPO);
  const response = await exports.default.fetch(
    `https://factory.test/agents/connect?repo=${encodeURIComponent(REPO)}`,
    { headers: { upgrade: "websocket", authorization: `Bearer ${token}` } },
  );
  const socket = response.webSocket!;
  socket.accept();
  const frames: ServerMessage[] = [];
  socket.addEventListener("message", (event) => {
    frames.push(ServerMessage.parse(JSON.parse(String(event.data))));
  });
  socket.send(JSON.stringify({ type: "hello", v: 1, agentId, capacity, runs: [] }));
  await until(() => frames.find((f) => f.type === "welcome"));
  return {
    socket,
    frames,
    async reply(frame) {
      socket.send(JSON.stringify(frame));
      return until(() => frames.find((f) => f.type === "reply" && f.id === frame.id));
    },
  };
}

/** The first non-undefined value of `find`, polled (vi.waitFor also works outside a test). */
function until<T>(find: () => T | undefined, timeout = 30_000): Promise<T> {
  return vi.waitFor(
    () => {
      const found = find();
      if (found === undefined) throw new Error("not yet");
      return found;
    },
    { timeout, interval: 20 },
  );
}

async function run(runId: string) {
  const found = (await getState()).repos.find((r) => r.name === REPO)?.runs.find((r) => r.runId === runId);
  if (!found) throw new Error(`no run ${runId} in /api/state`);
  return found;
}

let owner: Agent;
let dispatch: ReturnType<typeof Dispatch.parse>;

beforeAll(async () => {
  const created = await fetch(`${inject("emulatorUrl")}/_emulator/issues`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      repo: REPO,
      number: NUMBER,
      title: "Tests: cover the client SDK",
      fields: { Status: "Ready", Area: "tests", "Lock Scope": "area", Priority: "P1", "Agent Mode": "cli" },
    }),
  });
  expect(created.status).toBeLessThan(300);
  owner = await connect("owner-agent", 1);
  dispatch = Dispatch.parse(await until(() => owner.frames.find((f) => f.type === "dispatch")));
  owner.socket.send(JSON.stringify({ type: "ack", id: dispatch.id }));
}, 60_000);

// Caps for a loaded machine; every wait polls for the frame or state it needs.
describe("run capabilities", { timeout: 60_000 }, () => {
  it("dispatches a run with a random id that shows no fence, and a secret of 256 bits", async () => {
    expect(dispatch.args.issueNumber).toBe(NUMBER);
    expect(dispatch.runId).toMatch(new RegExp(`^Phoenix-Agentic-Engine-Interface-${NUMBER}-[0-9a-f]{16}$`));
    expect(dispatch.runId).not.toMatch(/-f\d+(-|$)/);
    expect(dispatch.runSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = JSON.stringify((await getState()).repos.find((r) => r.name === REPO));
    expect(state).not.toContain(dispatch.runSecret);
  });

  it("refuses another agent's heartbeat with the run's id and fence but no secret, and renews nothing", async () => {
    const before = await run(dispatch.runId);
    // Let the clock move past the last renewal, so a renewal would show.
    await expect.poll(() => Date.now(), { timeout: 30_000 }).toBeGreaterThan(before.lastHeartbeat);
    const intruder = await connect("intruder", 0);
    const reply = await intruder.reply({
      type: "heartbeat",
      id: "intruder-hb-1",
      runId: dispatch.runId,
      fence: dispatch.fence,
    });
    expect(reply).toMatchObject({ type: "reply", ok: false, error: "unauthorized" });
    expect(reply.type === "reply" && reply.message).toMatch(/carries no run secret: only the daemon/);
    const after = await run(dispatch.runId);
    expect([after.lastHeartbeat, after.leaseExpires]).toEqual([before.lastHeartbeat, before.leaseExpires]);
    intruder.socket.close(1000);
  });

  it("refuses a run_finished with a wrong secret, and the run stays live", async () => {
    const intruder = await connect("intruder-2", 0);
    const reply = await intruder.reply({
      type: "run_finished",
      id: "intruder-finish-1",
      runId: dispatch.runId,
      fence: dispatch.fence,
      runSecret: "A".repeat(43),
      outcome: "failed",
      reason: "forged",
      exitCode: 1,
      branch: null,
      commits: [],
      prUrl: null,
    });
    expect(reply).toMatchObject({ ok: false, error: "unauthorized" });
    expect(reply.type === "reply" && reply.message).toMatch(/does not prove the run's secret/);
    expect((await run(dispatch.runId)).state).toBe("dispatched");
    intruder.socket.close(1000);
  });

  it("applies the owner's frames, which prove the secret, even under an id a refused frame used", async () => {
    const before = await run(dispatch.runId);
    await expect.poll(() => Date.now(), { timeout: 30_000 }).toBeGreaterThan(before.lastHeartbeat);
    const refused = await owner.reply({
      type: "heartbeat",
      id: "hb-shared",
      runId: dispatch.runId,
      fence: dispatch.fence,
    });
    expect(refused).toMatchObject({ ok: false, error: "unauthorized" });
    // The refusal was not journalled: the same id, now with the secret, is applied.
    owner.frames.length = 0;
    const applied = await owner.reply({
      type: "heartbeat",
      id: "hb-shared",
      runId: dispatch.runId,
      fence: dispatch.fence,
      runSecret: dispatch.runSecret,
    });
    expect(applied).toMatchObject({ ok: true, error: null });
    expect((await run(dispatch.runId)).lastHeartbeat).toBeGreaterThan(before.lastHeartbeat);

    const started = await owner.reply({
      type: "run_started",
      id: "started-1",
      runId: dispatch.runId,
      fence: dispatch.fence,
      runSecret: dispatch.runSecret,
      branch: `subfeature/task/${NUMBER}-tests`,
      worktree: "/tmp/wt",
    });
    expect(started).toMatchObject({ ok: true });
    expect((await run(dispatch.runId)).state).toBe("running");
  });
});

describe("frame ids derived from run ids", () => {
  it("stay within the protocol's 128 characters, the same for the same inputs, apart for others", () => {
    const long = `steer-scope-${"x".repeat(80)}-${"y".repeat(80)}-checkpoint_and_replan`;
    const id = frameId(long);
    expect(id.length).toBeLessThanOrEqual(128);
    expect(id).toBe(frameId(long));
    expect(id).not.toBe(frameId(`${long}!`));
    expect(id.startsWith("steer-scope-xxx")).toBe(true);
    expect(frameId("steer-evt-1-run-1-append_context")).toBe("steer-evt-1-run-1-append_context");
  });
});
