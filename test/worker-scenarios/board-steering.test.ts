/**
 * A person changes a running item on the board: its new scope reaches the agent as
 * checkpoint_and_replan with the lock following it, a scope that overlaps someone else's
 * lock stops it with the seed's conflict message, and a Status taken out of the active
 * values stops it. Real Worker in workerd, a real agent socket, the shared emulator's board
 * (with an item of this test's own, so no other test's items are claimed).
 */
import { exports } from "cloudflare:workers";
import { inject } from "vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { agentTokenFor } from "../../worker/http/agent-token.ts";
import { Dispatch, ServerMessage, Steer } from "../../worker/protocol/messages.ts";
import { BACKEND, deliveryId, emulatorItem, getState, postDelivery } from "../worker/support/deliveries.ts";
import "../worker/support/provided-context.ts";

const NUMBER = 990;
const OTHER = 991;
const frames: ServerMessage[] = [];
const runIds = new Map<number, string>();
let socket: WebSocket;

async function edit(number: number, field: string, from: string | null, to: string | null): Promise<void> {
  const { id, projectId, contentId } = await emulatorItem(BACKEND, number);
  const body = JSON.stringify({
    action: "edited",
    projects_v2_item: {
      id: 1,
      node_id: id,
      project_node_id: projectId,
      content_node_id: contentId,
      content_type: "Issue",
      updated_at: new Date().toISOString(),
    },
    changes: { field_value: { field_node_id: "PVTF_x", field_type: "text", field_name: field, from, to } },
    organization: { login: "phoenix-agentic" },
    sender: { login: "alice" },
  });
  expect((await postDelivery("projects_v2_item", body, { id: deliveryId() })).status).toBe(202);
}

const steers = (number = NUMBER) =>
  frames
    .filter((f) => f.type === "steer")
    .map((f) => Steer.parse(f))
    .filter((steer) => steer.runId === runIds.get(number));
const runOf = async () =>
  (await getState()).repos.find((r) => r.name === BACKEND)?.locks.filter((lock) => lock.number === NUMBER);

/** Waits for `check` (beforeAll cannot use expect.poll); a cap, not a guess of speed. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let round = 0; round < 300; round += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function createItem(number: number, title: string, area: string): Promise<void> {
  const created = await fetch(`${inject("emulatorUrl")}/_emulator/issues`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      repo: BACKEND,
      number,
      title,
      fields: { Status: "Ready", Area: area, "Lock Scope": "area", Priority: "P0" },
    }),
  });
  expect(created.status).toBe(201);
}

beforeAll(async () => {
  await createItem(NUMBER, "Infra: rotate the deploy keys", "infra");
  await createItem(OTHER, "Contracts: version the events schema", "contracts");
  const token = await agentTokenFor("test-agent-key", BACKEND);
  const response = await exports.default.fetch(`https://factory.test/agents/connect?repo=${BACKEND}`, {
    headers: { upgrade: "websocket", authorization: `Bearer ${token}` },
  });
  socket = response.webSocket!;
  socket.accept();
  socket.addEventListener("message", (event) =>
    frames.push(ServerMessage.parse(JSON.parse(String(event.data)))),
  );
  socket.send(JSON.stringify({ type: "hello", v: 1, agentId: "board-steered", capacity: 2, runs: [] }));
  await until(() => frames.filter((f) => f.type === "dispatch").length === 2, "two dispatches");
  for (const frame of frames.filter((f) => f.type === "dispatch")) {
    const dispatch = Dispatch.parse(frame);
    runIds.set(dispatch.args.issueNumber, dispatch.runId);
    socket.send(JSON.stringify({ type: "ack", id: dispatch.id }));
    const id = `started-${dispatch.args.issueNumber}`;
    socket.send(
      JSON.stringify({
        type: "run_started",
        id,
        runId: dispatch.runId,
        fence: dispatch.fence,
        branch: `subfeature/task/${dispatch.args.issueNumber}`,
        worktree: "/tmp/wt",
      }),
    );
    await until(() => frames.some((f) => f.type === "reply" && f.id === id), `the reply to ${id}`);
  }
  expect([...runIds.keys()].sort()).toEqual([NUMBER, OTHER]);
});

describe("a person changes a running item on the board", () => {
  it("tells the agent to checkpoint and replan with the new scope, and moves the lock with it", async () => {
    await edit(NUMBER, "Area", "infra", "orchestrator");
    await expect.poll(() => steers().map((s) => s.command)).toEqual(["checkpoint_and_replan"]);
    expect(steers()[0]?.text).toContain("lock key(s) now held: orchestrator");
    await expect
      .poll(async () => (await runOf())?.map((lock) => [lock.key, lock.holder]))
      .toEqual([["orchestrator", "run"]]);
  });

  it("does not steer again for the same scope", async () => {
    await edit(NUMBER, "Area", "orchestrator", "orchestrator");
    await edit(NUMBER, "Priority", "P0", "P1");
    // Deliveries are applied in order: once the later priority edit shows, both were gated.
    await expect
      .poll(async () => {
        const backend = (await getState()).repos.find((r) => r.name === BACKEND);
        return (backend?.items as { number: number; priorityRank?: number }[] | undefined)?.find(
          (i) => i.number === NUMBER,
        )?.priorityRank;
      })
      .toBe(1);
    expect(steers().map((s) => s.command)).toEqual(["checkpoint_and_replan"]);
  });

  it("stops the run with the seed's conflict message when the new scope overlaps a lock someone holds", async () => {
    // #42 holds `gateway` through alice's claim on the sample board.
    await edit(NUMBER, "Area", "orchestrator", "gateway");
    await expect
      .poll(() => steers().map((s) => s.command))
      .toEqual(["checkpoint_and_replan", "stop_and_requeue"]);
    expect(steers()[1]?.reason).toBe("Lock conflict: Issue #42 currently holds overlapping lock key(s).");
  });

  it("stops the run, leaving the person's Status, when the Status leaves the active values", async () => {
    await edit(OTHER, "Status", "In Progress", "Backlog");
    await expect
      .poll(() => steers(OTHER).map((s) => [s.command, s.reason]))
      .toEqual([["stop_and_requeue", "Status moved to Backlog while the run was going."]]);
    await expect
      .poll(
        async () =>
          (await getState()).repos.find((r) => r.name === BACKEND)?.items.find((i) => i.number === OTHER)
            ?.verdict,
      )
      .toBe("not_ready");
  });
});
