/**
 * Set-up the scenario tests share: issues of their own on the scenario project's emulator,
 * an agent socket that says hello, and a wait for use in `beforeAll` (where expect.poll
 * cannot run).
 */
import { exports } from "cloudflare:workers";
import { expect, inject } from "vitest";
import { agentTokenFor } from "../../worker/http/agent-token.ts";
import { ServerMessage } from "../../worker/protocol/messages.ts";
import "../worker/support/provided-context.ts";

/** Waits for `check`; a cap, not a guess of how fast the machine is. */
export async function until(check: () => boolean, what: string): Promise<void> {
  for (let round = 0; round < 300; round += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** An issue on the board, created as a person would (the scenario project's board only). */
export async function createItem(
  repo: string,
  number: number,
  title: string,
  fields: Record<string, string>,
): Promise<void> {
  const response = await fetch(`${inject("emulatorUrl")}/_emulator/issues`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ repo, number, title, fields }),
  });
  expect(response.status).toBe(201);
}

/** A local agent's socket to the repo's RepoQueue, after its hello; every frame lands in `frames`. */
export async function connectAgent(
  repo: string,
  agentId: string,
  capacity: number,
): Promise<{ socket: WebSocket; frames: ServerMessage[] }> {
  const token = await agentTokenFor("test-agent-key", repo);
  const response = await exports.default.fetch(`https://factory.test/agents/connect?repo=${repo}`, {
    headers: { upgrade: "websocket", authorization: `Bearer ${token}` },
  });
  const socket = response.webSocket;
  if (!socket) throw new Error(`the agent socket for ${repo} was refused with ${response.status}`);
  socket.accept();
  const frames: ServerMessage[] = [];
  socket.addEventListener("message", (event) =>
    frames.push(ServerMessage.parse(JSON.parse(String(event.data)))),
  );
  socket.send(JSON.stringify({ type: "hello", v: 1, agentId, capacity, runs: [] }));
  return { socket, frames };
}
