/**
 * The socket drops mid-dispatch: the RepoQueue keeps the unacknowledged dispatch in its outbox
 * and sends the same frame again after the agent reconnects, so nothing is lost and the item
 * is not claimed twice. The agent side is a raw WebSocket speaking the protocol, against the
 * real Worker in workerd (local mode).
 */
import { once } from "node:events";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Dispatch, ServerMessage } from "../../worker/protocol/messages.ts";
import { startLocalMode, type LocalMode } from "../../scripts/dev.ts";
import { agentToken, repoState } from "./support.ts";

const FRONTEND = "phoenix-agentic/Phoenix-Agentic-Website-Frontend";
const persistTo = `.wrangler/test-reconnect-${process.pid}`;
let mode: LocalMode;
let token: string;

/** Connects as an agent, says hello, and collects every server frame. */
async function agent(agentId: string): Promise<{ socket: WebSocket; frames: ServerMessage[] }> {
  const socket = new WebSocket(`${mode.workerUrl.replace("http", "ws")}/agents/connect?repo=${FRONTEND}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const frames: ServerMessage[] = [];
  socket.on("message", (data) => frames.push(ServerMessage.parse(JSON.parse(String(data)))));
  await once(socket, "open");
  socket.send(JSON.stringify({ type: "hello", v: 1, agentId, capacity: 1, runs: [] }));
  return { socket, frames };
}

function dispatches(frames: ServerMessage[]) {
  return frames.filter((frame) => frame.type === "dispatch").map((frame) => Dispatch.parse(frame));
}

beforeAll(async () => {
  mode = await startLocalMode({ port: 0, persistTo });
  token = await agentToken(mode, FRONTEND);
}, 180_000);

afterAll(async () => {
  await mode?.stop();
  await rm(persistTo, { recursive: true, force: true });
});

describe("a socket dropped mid-dispatch", () => {
  it("gets the same dispatch again after the reconnect, and the item is claimed once", async () => {
    const first = await agent("flaky-agent");
    await expect.poll(() => dispatches(first.frames).length, { timeout: 30_000 }).toBe(1);
    const [sent] = dispatches(first.frames);
    first.socket.terminate(); // never acknowledged

    const second = await agent("flaky-agent");
    await expect.poll(() => dispatches(second.frames).length, { timeout: 30_000 }).toBe(1);
    const [resent] = dispatches(second.frames);
    expect(resent).toEqual(sent);

    second.socket.send(JSON.stringify({ type: "ack", id: resent!.id }));
    second.socket.send(
      JSON.stringify({
        type: "run_started",
        id: "started-1",
        runId: resent!.runId,
        fence: resent!.fence,
        runSecret: resent!.runSecret,
        branch: "subfeature/task/21-pricing-page",
        worktree: "/tmp/wt",
      }),
    );
    await expect
      .poll(async () => (await repoState(mode, FRONTEND)).runs.map((run) => [run.number, run.state]), {
        timeout: 15_000,
      })
      .toEqual([[21, "running"]]);

    // A third connection gets nothing resent: the dispatch was acknowledged.
    second.socket.close(1000);
    const third = await agent("flaky-agent");
    // Frames are answered in order: once the heartbeat's reply is in, any resend would be too.
    third.socket.send(
      JSON.stringify({
        type: "heartbeat",
        id: "hb-1",
        runId: resent!.runId,
        fence: resent!.fence,
        runSecret: resent!.runSecret,
      }),
    );
    await expect
      .poll(() => third.frames.find((frame) => frame.type === "reply" && frame.id === "hb-1"), {
        timeout: 15_000,
      })
      .toMatchObject({ ok: true });
    expect(dispatches(third.frames)).toEqual([]);
    third.socket.close(1000);
  });
});
