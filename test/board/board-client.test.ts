import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { largeBoardSeed } from "../../emulator/seed/large-board.ts";
import { startEmulator } from "../../emulator/server.ts";
import type { RunningEmulator } from "../../emulator/server.ts";
import { BoardClient } from "../../worker/board/board-client.ts";
import type { BoardClientOptions } from "../../worker/board/board-client.ts";
import { BoardSchemaError, RateLimitedError } from "../../worker/board/board-errors.ts";
import { evaluateGate } from "../../worker/board/gate.ts";
import { parseWorkspaceConfigText } from "../../worker/config/workspace-config.ts";

const config = parseWorkspaceConfigText(
  readFileSync(new URL("../../workspace.config.json", import.meta.url), "utf8"),
);
const BACKEND = "phoenix-agentic/Phoenix-Agentic-Engine-Backend";

let emulator: RunningEmulator;
let sleeps: number[];

function client(options: Partial<BoardClientOptions> = {}): BoardClient {
  return new BoardClient({
    config,
    auth: { token: "test-token" },
    apiUrl: emulator.url,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
}

async function editField(item: string, field: string, value: string | null): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/field-value`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ item, field, value, actor: "alice" }),
  });
  expect(response.status).toBeLessThan(300);
}

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  sleeps = [];
  emulator.rateLimiter.reset();
  await fetch(`${emulator.url}/_emulator/reset`, { method: "POST" });
});

describe("reading the board", () => {
  it("reads the project's field ids and single-select options", async () => {
    const schema = await client().projectSchema();
    expect(schema.projectId).toMatch(/^PVT_/);
    expect(schema.fields["status"]?.options.map((option) => option.name)).toContain("Ready");
    expect(schema.fields["lock key"]?.dataType).toBe("TEXT");
  });

  it("maps every item's field values to their roles", async () => {
    const items = await client().listItems();
    const gateway = items.find((item) => item.repo === BACKEND && item.number === 42);
    expect(gateway).toMatchObject({
      contentType: "Issue",
      state: "OPEN",
      fields: { status: "In Progress", area: "gateway", lockKey: "gateway", claimOwner: "alice" },
    });
    const blocked = items.find((item) => item.number === 14);
    expect(blocked?.blockedBy).toEqual([
      { repo: "phoenix-agentic/Phoenix-Agentic-Engine", number: 13, state: "OPEN", stateReason: null },
    ]);
    const pr = items.find((item) => item.contentType === "PullRequest");
    expect(pr?.closes).toEqual([{ repo: BACKEND, number: 42 }]);
  });

  it("filters with items(query:)", async () => {
    const items = await client().listItems({ query: "status:Ready" });
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((item) => item.fields.status === "Ready")).toBe(true);
  });

  it("fetches items by id and leaves out unknown ids", async () => {
    const board = client();
    const [first, second] = await board.listItems();
    const items = await board.getItems([first?.itemId ?? "", "PVTI_unknown", second?.itemId ?? ""]);
    expect(items.map((item) => item.itemId)).toEqual([first?.itemId, second?.itemId]);
  });

  it("resolves issue states across repos, with their Status on the project, and leaves out unknown issues", async () => {
    const states = await client().getIssueStates([
      { repo: BACKEND, number: 40 },
      { repo: BACKEND, number: 57 },
      { repo: BACKEND, number: 9999 },
      { repo: "phoenix-agentic/No-Such-Repo", number: 1 },
    ]);
    expect(states).toEqual([
      { repo: BACKEND, number: 40, state: "CLOSED", stateReason: "COMPLETED", boardStatus: "Done" },
      { repo: BACKEND, number: 57, state: "OPEN", stateReason: null, boardStatus: "Backlog" },
    ]);
  });

  it("feeds the gate: the seeded human claim on gateway blocks a second gateway item", async () => {
    const items = await client().listItems();
    const candidate = items.find((item) => item.repo === BACKEND && item.number === 64);
    if (candidate === undefined) throw new Error("seed lacks #64");
    const ready = { ...candidate, fields: { ...candidate.fields, status: "Ready", area: "gateway" } };
    const verdict = evaluateGate({ item: ready, board: items, config, now: Date.now() });
    expect(verdict).toMatchObject({
      kind: "conflict",
      reason: "Lock conflict: Issue #42 currently holds overlapping lock key(s).",
    });
  });
});

describe("the GraphQL budget", () => {
  it("charges a few points for a full items page and one for the light scan", async () => {
    const board = client();
    await board.listItems();
    const page = board.budget();
    // items 1 + fieldValues 100 + blockedBy 100 + closingIssuesReferences 100 requests → 3 points.
    expect(page.lastCost).toBe(3);
    expect(page.remaining).toBe(5000 - page.totalCost);
    await board.scanItems();
    expect(board.budget().lastCost).toBe(1);
  });

  it("pages through more than 1,000 items at about one page per 100", async () => {
    const large = await startEmulator({ seed: largeBoardSeed({ items: 1050 }) });
    try {
      const board = new BoardClient({ config, auth: { token: "t" }, apiUrl: large.url });
      const items = await board.listItems();
      expect(items).toHaveLength(1050);
      expect(new Set(items.map((item) => item.itemId)).size).toBe(1050);
      expect(board.budget()).toMatchObject({ calls: 11, totalCost: 33 });
      const stamps = await board.scanItems();
      expect(stamps).toHaveLength(1050);
      expect(board.budget()).toMatchObject({ calls: 22, totalCost: 44 });
    } finally {
      await large.close();
    }
  });

  it("backs off on a secondary rate limit, honouring retry-after", async () => {
    await fetch(`${emulator.url}/_emulator/rate-limit`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ secondary: { requests: 2, retryAfterSeconds: 7, status: 403 } }),
    });
    const schema = await client().projectSchema();
    expect(schema.projectId).toMatch(/^PVT_/);
    expect(sleeps).toEqual([7000, 7000]);
  });

  it("gives up with RateLimitedError after the allowed attempts", async () => {
    await fetch(`${emulator.url}/_emulator/rate-limit`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ secondary: { requests: 10, retryAfterSeconds: 1, status: 429 } }),
    });
    await expect(client({ retry: { maxAttempts: 3 } }).projectSchema()).rejects.toBeInstanceOf(
      RateLimitedError,
    );
    expect(sleeps).toEqual([1000, 1000]);
  });

  it("fails fast when the hourly budget is gone until a reset far away", async () => {
    await fetch(`${emulator.url}/_emulator/rate-limit`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ remaining: 0, resetInSeconds: 3000 }),
    });
    const error = await client()
      .listItems()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(sleeps).toEqual([]);
  });
});

describe("claims", () => {
  const claim = {
    lockKey: "worker",
    claimOwner: "wf:phoenix-agentic/Phoenix-Agentic-Engine-Backend:run-1",
    leaseExpires: "2099-01-01T00:15:00.000Z",
    lastHeartbeat: "2099-01-01T00:00:00.000Z",
    status: "In Progress",
  };

  async function item57(board: BoardClient) {
    const items = await board.listItems();
    const found = items.find((item) => item.repo === BACKEND && item.number === 57);
    if (found === undefined) throw new Error("seed lacks #57");
    return found;
  }

  it("writes a claim in one request and confirms it by reading it back", async () => {
    const board = client();
    const item = await item57(board);
    await board.projectSchema();
    const calls = board.budget().calls;
    const result = await board.writeClaim(item, claim);
    expect(result).toEqual({ kind: "claimed", board: { ...claim, updatedAt: expect.any(String) } });
    // The schema is cached by then: one mutation, one read-back.
    expect(board.budget().calls - calls).toBe(2);
  });

  it("loses a claim to a person who edits the item between write and read-back", async () => {
    const board = client({ afterClaimWrite: (itemId) => editField(itemId, "Claim Owner", "bob") });
    const result = await board.writeClaim(await item57(board), claim);
    expect(result).toMatchObject({ kind: "lost", board: { claimOwner: "bob", lockKey: "worker" } });
  });

  it("renews the lease and releases the claim, clearing the lock fields", async () => {
    const board = client();
    const item = await item57(board);
    await board.writeClaim(item, claim);
    await board.renewLease(item, {
      leaseExpires: "2099-01-01T00:30:00.000Z",
      lastHeartbeat: "2099-01-01T00:15:00.000Z",
    });
    expect(await board.readClaim(item)).toMatchObject({ leaseExpires: "2099-01-01T00:30:00.000Z" });
    await board.releaseClaim(item, { status: "QA Required" });
    expect(await board.readClaim(item)).toEqual({
      updatedAt: expect.any(String),
      lockKey: null,
      claimOwner: null,
      leaseExpires: null,
      lastHeartbeat: null,
      status: "QA Required",
    });
  });

  it("sets a status by option name and refuses one the field does not have", async () => {
    const board = client();
    const item = await item57(board);
    await board.setStatus(item, "ready");
    expect((await board.getItem(item.itemId))?.fields.status).toBe("Ready");
    await expect(board.setStatus(item, "Shipped")).rejects.toBeInstanceOf(BoardSchemaError);
  });
});
