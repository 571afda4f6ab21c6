import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { agentTokenFor } from "../../worker/http/agent-token.ts";
import { Dispatch, ServerMessage, Steer } from "../../worker/protocol/messages.ts";
import { ADMIN_TOKEN, postDelivery } from "./support/deliveries.ts";

const ENGINE = "phoenix-agentic/Phoenix-Agentic-Engine";

async function connectAgent(): Promise<{ socket: WebSocket; frames: ServerMessage[] }> {
  const token = await agentTokenFor("test-agent-key", ENGINE);
  const response = await exports.default.fetch(`https://factory.test/agents/connect?repo=${ENGINE}`, {
    headers: { upgrade: "websocket", authorization: `Bearer ${token}` },
  });
  const socket = response.webSocket!;
  socket.accept();
  const frames: ServerMessage[] = [];
  socket.addEventListener("message", (event) =>
    frames.push(ServerMessage.parse(JSON.parse(String(event.data)))),
  );
  socket.send(JSON.stringify({ type: "hello", v: 1, agentId: "steered-agent", capacity: 1, runs: [] }));
  return { socket, frames };
}

function comment(number: number, author: string, body: string): string {
  return JSON.stringify({
    action: "created",
    issue: { number, node_id: `I_${number}` },
    comment: { id: 1, body, user: { login: author } },
    repository: { full_name: ENGINE },
    sender: { login: author },
  });
}

describe("steering a running agent", () => {
  it("hands a person's comment (not a bot's) to the running agent as append_context, and stops it on request", async () => {
    const { socket, frames } = await connectAgent();
    await expect.poll(() => frames.find((f) => f.type === "dispatch"), { timeout: 15_000 }).toBeDefined();
    const dispatch = Dispatch.parse(frames.find((f) => f.type === "dispatch"));
    expect(dispatch.args).toMatchObject({ repo: ENGINE, issueNumber: 12 });
    socket.send(JSON.stringify({ type: "ack", id: dispatch.id }));
    socket.send(
      JSON.stringify({
        type: "run_started",
        id: "started-12",
        runId: dispatch.runId,
        fence: dispatch.fence,
        runSecret: dispatch.runSecret,
        branch: "subfeature/task/12-assistant-ui",
        worktree: "/tmp/wt",
      }),
    );
    await expect
      .poll(() => frames.find((f) => f.type === "reply" && f.id === "started-12"))
      .toMatchObject({ ok: true });

    const response = await postDelivery(
      "issue_comment",
      comment(12, "alice", "Please keep the old API working."),
    );
    expect(response.status).toBe(202);
    await expect
      .poll(() => frames.find((f) => f.type === "steer"), { timeout: 15_000 })
      .toMatchObject({
        command: "append_context",
        runId: dispatch.runId,
        fence: dispatch.fence,
        reason: "@alice commented on the issue",
        text: "Comment by @alice:\nPlease keep the old API working.",
      });

    const stop = await exports.default.fetch("https://factory.test/api/steer", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        repo: ENGINE,
        runId: dispatch.runId,
        command: "stop_and_requeue",
        reason: "scope changed",
        sourceEventId: "operator-1",
      }),
    });
    expect(stop.status).toBe(202);
    await expect
      .poll(() => frames.filter((f) => f.type === "steer").map((f) => Steer.parse(f).command))
      .toEqual(["append_context", "stop_and_requeue"]);
    socket.close(1000);
  });
});
