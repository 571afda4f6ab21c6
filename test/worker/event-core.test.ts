/**
 * The event-driven core in workerd: webhooks are applied to the RepoQueues' mirrors as deltas,
 * echoes cost nothing, completions fan out across repos, and the gate's verdicts are honest.
 * The board is the sample board on the shared emulator; these tests change only the mirrors,
 * through signed webhooks, never the emulator's board.
 */
import { describe, expect, it } from "vitest";
import {
  BACKEND,
  deliveryId,
  emulatorItem,
  getState,
  issuePayload,
  postDelivery,
  type StateBody,
} from "./support/deliveries.ts";

const INTERFACE = "phoenix-agentic/Phoenix-Agentic-Engine-Interface";
/** The login the emulator attributes the board client's writes to (`viewer`, `sender`). */
const SELF = "worker-factory-bot";

type Repo = StateBody["repos"][number];

async function repo(name: string): Promise<Repo> {
  const found = (await getState()).repos.find((r) => r.name === name);
  if (!found) throw new Error(`no ${name} in /api/state`);
  return found;
}

const calls = (budget: Repo["budget"], kind: string): number => budget?.byKind[kind]?.calls ?? 0;
const item = async (name: string, number: number) =>
  (await repo(name)).items.find((i) => i.number === number);

/** Every GraphQL call made so far by the supervisor and the RepoQueues, by kind. */
async function spentByKind(): Promise<Record<string, number>> {
  const state = await getState();
  const out: Record<string, number> = {};
  for (const budget of [state.budget, ...state.repos.map((r) => r.budget)]) {
    for (const [kind, spent] of Object.entries(budget?.byKind ?? {}))
      out[kind] = (out[kind] ?? 0) + spent.calls;
  }
  return out;
}

async function deliver(event: string, payload: string): Promise<string> {
  const id = deliveryId();
  expect((await postDelivery(event, payload, { id })).status).toBe(202);
  await expect
    .poll(async () => (await getState()).deliveries.find((d) => d.id === id)?.outcome, { timeout: 15_000 })
    .toMatch(/^(routed|unrouted)$/);
  return id;
}

async function editField(
  repoName: string,
  number: number,
  field: string,
  change: { from?: string | null; to?: string | null } | null,
  sender = "alice",
): Promise<string> {
  const { id, projectId } = await emulatorItem(repoName, number);
  const fieldValue =
    change === null
      ? { field_node_id: "PVTF_x", field_type: "text" }
      : { field_node_id: "PVTF_x", field_type: "text", field_name: field, ...change };
  return deliver(
    "projects_v2_item",
    JSON.stringify({
      action: "edited",
      projects_v2_item: {
        id: 1,
        node_id: id,
        project_node_id: projectId,
        content_node_id: null,
        content_type: "Issue",
        updated_at: new Date().toISOString(),
      },
      changes: { field_value: fieldValue },
      organization: { login: "phoenix-agentic" },
      sender: { login: sender },
    }),
  );
}

function closed(repoName: string, number: number, action: "closed" | "reopened"): string {
  const payload = JSON.parse(issuePayload(repoName, number, action)) as { issue: Record<string, unknown> };
  payload.issue.state_reason = action === "closed" ? "completed" : null;
  return JSON.stringify(payload);
}

describe("the event-driven core", () => {
  it("fills each repo's mirror once, at the first delivery", async () => {
    await deliver("issues", issuePayload(BACKEND, 57, "edited", "Worker telemetry logging"));
    const state = await getState();
    for (const r of state.repos) {
      expect(r.mirror.items).toBeGreaterThan(0);
      expect(calls(r.budget, "list items")).toBe(1);
    }
  });

  it("applies a field edit that carries from and to without reading the board", async () => {
    const before = await spentByKind();
    await editField(BACKEND, 57, "Status", { from: "Backlog", to: "Ready" });
    await expect.poll(async () => (await item(BACKEND, 57))?.verdict).toBe("runnable");
    expect(await spentByKind()).toEqual(before);
  });

  it("reads the one item, once, when an edit's payload carries no from and to", async () => {
    const before = calls((await repo(BACKEND)).budget, "get items");
    await editField(BACKEND, 63, "Status", null);
    expect(calls((await repo(BACKEND)).budget, "get items")).toBe(before + 1);
  });

  it("runs no pass and makes no call for an echo of a value the mirror already holds", async () => {
    await expect.poll(async () => (await item(BACKEND, 57))?.verdict).toBe("runnable");
    const passes = (await repo(BACKEND)).passes;
    const before = await spentByKind();
    await editField(BACKEND, 57, "Status", { from: "Backlog", to: "Ready" }, SELF);
    expect((await repo(BACKEND)).passes).toBe(passes);
    expect(await spentByKind()).toEqual(before);
  });

  it("unblocks a dependent in another repo when its blocker's issue closes, through webhooks alone", async () => {
    await expect.poll(async () => (await item(INTERFACE, 5))?.verdict).toBe("waiting");
    const scans = calls((await repo(INTERFACE)).budget, "scan items");
    await deliver("issues", closed(BACKEND, 57, "closed"));
    await expect.poll(async () => (await item(INTERFACE, 5))?.verdict).toBe("runnable");
    expect(calls((await repo(INTERFACE)).budget, "scan items")).toBe(scans);
    expect((await getState()).metaQueue).toContainEqual(
      expect.objectContaining({ kind: "dependency_update", repo: INTERFACE, number: 5 }),
    );
    await deliver("issues", closed(BACKEND, 57, "reopened"));
    await expect.poll(async () => (await item(INTERFACE, 5))?.verdict).toBe("waiting");
  });

  it("unblocks a dependent in another repo when its blocker's Status is set to Done", async () => {
    await editField(BACKEND, 57, "Status", { from: "Ready", to: "Done" });
    await expect.poll(async () => (await item(INTERFACE, 5))?.verdict).toBe("runnable");
  });

  it("shows one of two overlapping Ready items runnable and the other waiting behind it, by name", async () => {
    await editField(BACKEND, 63, "Status", { from: "Backlog", to: "Ready" });
    await editField(BACKEND, 64, "Area", { from: "gateway", to: "contracts" });
    await editField(BACKEND, 64, "Status", { from: "Backlog", to: "Ready" });
    await expect.poll(async () => (await item(BACKEND, 64))?.verdict).toBe("queued_behind");
    expect((await item(BACKEND, 63))?.verdict).toBe("runnable");
    expect((await item(BACKEND, 64))?.reason).toContain("Issue #63");
  });

  it("lets a person's item in Done hold no lock, and reports the claim fields left on it", async () => {
    expect((await repo(BACKEND)).locks).toContainEqual(
      expect.objectContaining({ key: "gateway", number: 42, holder: "person" }),
    );
    await editField(BACKEND, 42, "Status", { from: "In Progress", to: "Done" });
    await expect
      .poll(async () => (await repo(BACKEND)).locks.filter((lock) => lock.number === 42))
      .toEqual([]);
    await expect
      .poll(async () => (await getState()).metaQueue)
      .toContainEqual(expect.objectContaining({ kind: "stale_claim", repo: BACKEND, number: 42 }));
  });
});
