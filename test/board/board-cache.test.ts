import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { largeBoardSeed } from "../../emulator/seed/large-board.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { BoardClient } from "../../worker/board/board-client.ts";
import { parseWorkspaceConfig } from "../../worker/config/workspace-config.ts";
import { BoardCache } from "../../worker/queue/board-cache.ts";

const REPO = "phoenix-agentic/Large-Board-Repo";
const config = parseWorkspaceConfig({
  workspace: "large",
  project: { org: "phoenix-agentic", number: 1 },
  repos: [{ name: REPO, areas: [{ name: "worker", paths: ["worker/"] }] }],
});
let emulator: RunningEmulator;
let board: BoardClient;

async function admin(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
}

/** Points GitHub charged for one read through the cache. */
async function cost(read: () => Promise<unknown>): Promise<number> {
  const before = board.budget().totalCost;
  await read();
  return board.budget().totalCost - before;
}

beforeAll(async () => {
  emulator = await startEmulator({ seed: largeBoardSeed({ items: 500 }) });
  board = new BoardClient({ config, auth: { token: "t" }, apiUrl: emulator.url });
});

afterAll(async () => {
  await emulator.close();
});

describe("the repo loop's board cache", () => {
  const cache = new BoardCache(10 * 60 * 1000);
  const now = Date.parse("2026-05-01T12:00:00Z");

  it("reads the whole board once, then only scans while nothing changed, at a fraction of the cost", async () => {
    const full = await cost(() => cache.read(board, now));
    const scan = await cost(() => cache.read(board, now + 1000));
    expect(full).toBeGreaterThanOrEqual(15); // 5 pages of 100 items with their field values
    expect(scan).toBe(5); // 5 pages of ids and updatedAt
    expect(scan / full).toBeLessThanOrEqual(1 / 3);
  });

  it("reads in full only the item whose fields changed", async () => {
    await admin("field-value", { item: `${REPO}#7`, field: "Status", value: "Ready" });
    let items: Awaited<ReturnType<BoardCache["read"]>> = [];
    const points = await cost(async () => {
      items = await cache.read(board, now + 2000);
    });
    expect(points).toBe(5 + 1);
    expect(items).toHaveLength(500);
    expect(items.find((item) => item.number === 7)?.fields.status).toBe("Ready");
  });

  it("re-reads an invalidated item, e.g. after its issue closed", async () => {
    await admin("issues/close", { issue: `${REPO}#9` });
    const item = (await cache.read(board, now + 3000)).find((entry) => entry.number === 9);
    cache.invalidate(item!.contentId!);
    const after = (await cache.read(board, now + 4000)).find((entry) => entry.number === 9);
    expect(after?.state).toBe("CLOSED");
  });

  it("reads the whole board again once the copy is older than its limit", async () => {
    const points = await cost(() => cache.read(board, now + 11 * 60 * 1000));
    expect(points).toBeGreaterThanOrEqual(15);
  });
});
