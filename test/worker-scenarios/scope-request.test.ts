/**
 * An agent asks for files outside its lock (`wf-scope request`): inside what it holds changes
 * nothing, a free area's file is granted (the lock widens, the board shows it), a path under
 * someone else's lock is refused with the seed's conflict message, and a path in no area is
 * refused with the areas named. Real Worker in workerd, a real agent socket, the shared
 * emulator (items of this test's own, in a repo no other test runs agents in).
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { BoardClient } from "../../worker/board/board-client.ts";
import { parseWorkspaceConfig } from "../../worker/config/workspace-config.ts";
import { agentTokenFor } from "../../worker/http/agent-token.ts";
import { Dispatch, ScopeReply, ServerMessage } from "../../worker/protocol/messages.ts";
import bundled from "../../workspace.config.json";
import { getState } from "../worker/support/deliveries.ts";
import "../worker/support/provided-context.ts";

const REPO = "phoenix-agentic/Phoenix-Agentic-Website-Backend";
const RUNNING = 993;
const HOLDER = 994;
const frames: ServerMessage[] = [];
let socket: WebSocket;
let run: { runId: string; fence: number };

async function until(check: () => boolean, what: string): Promise<void> {
  for (let round = 0; round < 300; round += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function createItem(number: number, title: string, fields: Record<string, string>): Promise<void> {
  const response = await fetch(`${inject("emulatorUrl")}/_emulator/issues`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ repo: REPO, number, title, fields }),
  });
  expect(response.status).toBe(201);
}

let asked = 0;
async function ask(...paths: string[]): Promise<ReturnType<typeof ScopeReply.parse>> {
  asked += 1;
  const id = `scope-${asked}`;
  socket.send(JSON.stringify({ type: "scope_request", id, ...run, paths, reason: "the fix needs it" }));
  await expect.poll(() => frames.find((f) => f.type === "scope_reply" && f.requestId === id)).toBeDefined();
  const reply = ScopeReply.parse(frames.find((f) => f.type === "scope_reply" && f.requestId === id));
  socket.send(JSON.stringify({ type: "ack", id: reply.id }));
  return reply;
}

beforeAll(async () => {
  await createItem(RUNNING, "Domain: order totals", { Status: "Ready", Area: "domain", Priority: "P0" });
  await createItem(HOLDER, "Infra: connection pool", {
    Status: "In Progress",
    Area: "infra",
    "Claim Owner": "carol",
    "Lease Expires": "2099-01-01T00:00:00Z",
  });
  const token = await agentTokenFor("test-agent-key", REPO);
  const response = await exports.default.fetch(`https://factory.test/agents/connect?repo=${REPO}`, {
    headers: { upgrade: "websocket", authorization: `Bearer ${token}` },
  });
  socket = response.webSocket!;
  socket.accept();
  socket.addEventListener("message", (event) =>
    frames.push(ServerMessage.parse(JSON.parse(String(event.data)))),
  );
  socket.send(JSON.stringify({ type: "hello", v: 1, agentId: "scoped", capacity: 1, runs: [] }));
  await until(() => frames.some((f) => f.type === "dispatch"), "the dispatch");
  const dispatch = Dispatch.parse(frames.find((f) => f.type === "dispatch"));
  expect(dispatch.args.issueNumber).toBe(RUNNING);
  run = { runId: dispatch.runId, fence: dispatch.fence };
  socket.send(JSON.stringify({ type: "ack", id: dispatch.id }));
});

describe("an agent asks for more scope", () => {
  it("grants a path it already holds without changing anything", async () => {
    const reply = await ask("src/Phoenix.Agentic.Website.Backend.Domain/Orders/Total.cs");
    expect(reply).toMatchObject({ granted: true, lockKeys: ["domain"] });
  });

  it("grants a file in a free area: the lock widens and the board shows it", async () => {
    const reply = await ask("tests/Orders/TotalTests.cs");
    expect(reply).toMatchObject({ granted: true, lockKeys: ["domain", "tests:tests/Orders/TotalTests.cs"] });
    const locks = (await getState()).repos.find((r) => r.name === REPO)?.locks ?? [];
    expect(locks.filter((lock) => lock.number === RUNNING).map((lock) => lock.key)).toEqual([
      "domain",
      "tests:tests/Orders/TotalTests.cs",
    ]);
    const board = new BoardClient({
      config: parseWorkspaceConfig(bundled),
      auth: { token: "t" },
      apiUrl: inject("emulatorUrl"),
    });
    const item = (await board.listItems({ query: `repo:${REPO}` })).find((i) => i.number === RUNNING);
    expect(item?.fields).toMatchObject({
      lockKey: "domain, tests:tests/Orders/TotalTests.cs",
      neededFiles: "tests/Orders/TotalTests.cs",
    });
  });

  it("refuses a path under someone else's lock with the seed's conflict message", async () => {
    const reply = await ask("src/Phoenix.Agentic.Website.Backend.Infrastructure/Pool.cs");
    expect(reply).toMatchObject({
      granted: false,
      reason: `Lock conflict: Issue #${HOLDER} currently holds overlapping lock key(s).`,
    });
  });

  it("refuses a path in none of the repo's areas, naming them", async () => {
    const reply = await ask("vendor/patch.diff");
    expect(reply.granted).toBe(false);
    expect(reply.reason).toMatch(
      /^vendor\/patch\.diff is in none of .*areas \(api, domain, infra, tests, docs, ci\)/,
    );
  });
});
