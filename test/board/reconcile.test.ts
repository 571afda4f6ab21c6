/**
 * Reconciliation within GitHub's budget, against the emulator's cost formula: the repo's
 * board mirror (on node:sqlite) is read in full once, then kept by the light scan of the items
 * not done, reading in full only what moved, closed, or left the scan.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { largeBoardSeed } from "../../emulator/seed/large-board.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { BoardClient } from "../../worker/board/board-client.ts";
import { parseWorkspaceConfig } from "../../worker/config/workspace-config.ts";
import { BoardMirror, MIRROR_SCHEMA } from "../../worker/queue/board-mirror.ts";
import { DependencyStates, DEPENDENCY_STATES_SCHEMA } from "../../worker/queue/dependency-states.ts";
import { Meta, META_SCHEMA } from "../../worker/queue/meta.ts";
import {
  applyScan,
  notDoneFilter,
  reconcileBoard,
  reconcileDue,
  type ReconcileDeps,
} from "../../worker/queue/reconcile-board.ts";
import { NodeSql } from "../support/node-sql.ts";

const REPO = "phoenix-agentic/Large-Board-Repo";
const config = parseWorkspaceConfig({
  workspace: "large",
  project: { org: "phoenix-agentic", number: 1 },
  repos: [{ name: REPO, areas: [{ name: "worker", paths: ["worker/"] }] }],
  reconcile: { fullReadHours: 24 },
});
let emulator: RunningEmulator;
let board: BoardClient;
let deps: ReconcileDeps;
let clock = Date.parse("2026-05-01T12:00:00Z");

async function admin(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
}

/** Points GitHub charged for one full read, or one light scan (as the supervisor runs it) applied. */
async function cost(kind: "full" | "scan"): Promise<{ points: number; read: number }> {
  const before = board.budget().totalCost;
  const result =
    kind === "full"
      ? await reconcileBoard(deps, "full")
      : await applyScan(deps, await board.scanItems({ query: notDoneFilter(config) }), []);
  return { points: board.budget().totalCost - before, read: result.read };
}

const mirrored = (number: number) => deps.mirror.items().find((item) => item.number === number);

beforeAll(async () => {
  emulator = await startEmulator({ seed: largeBoardSeed({ items: 500 }) });
  board = new BoardClient({ config, auth: { token: "t" }, apiUrl: emulator.url });
  await board.projectSchema();
  const sql = new NodeSql();
  sql.exec(MIRROR_SCHEMA + DEPENDENCY_STATES_SCHEMA + META_SCHEMA);
  deps = {
    config,
    repo: config.repos[0]!,
    mirror: new BoardMirror(sql),
    depStates: new DependencyStates(sql),
    meta: new Meta(sql),
    board,
    now: () => clock,
  };
});

afterAll(async () => {
  await emulator.close();
});

describe("reconciliation of a repo's mirror", () => {
  it("reads every item in full at first start, and then only scans the items not done", async () => {
    expect(reconcileDue(deps)).toBe("full");
    const full = await cost("full");
    expect(full.read).toBe(500);
    expect(full.points).toBeGreaterThanOrEqual(15); // 5 pages of 100 items with their field values
    clock += 15 * 60_000;
    expect(reconcileDue(deps)).toBe("none");
    const scan = await cost("scan");
    expect(scan).toEqual({ points: 4, read: 0 }); // 400 of 500 are not Done: 4 pages of ids and stamps
  });

  it("reads in full only the item whose fields changed", async () => {
    await admin("field-value", { item: `${REPO}#7`, field: "Status", value: "Ready" });
    expect(await cost("scan")).toEqual({ points: 4 + 1, read: 1 });
    expect(mirrored(7)?.fields.status).toBe("Ready");
  });

  it("sees an issue closed without a webhook, from the scan's content state", async () => {
    await admin("issues/close", { issue: `${REPO}#8` });
    expect((await cost("scan")).read).toBe(1);
    expect(mirrored(8)?.state).toBe("CLOSED");
  });

  it("reads an item that left the scan because it became Done", async () => {
    await admin("field-value", { item: `${REPO}#11`, field: "Status", value: "Done" });
    expect((await cost("scan")).read).toBe(1);
    expect(mirrored(11)?.fields.status).toBe("Done");
  });

  it("reads everything again only after the long interval", async () => {
    expect(reconcileDue(deps)).toBe("none");
    clock += 24 * 60 * 60_000;
    expect(reconcileDue(deps)).toBe("full");
  });
});

describe("the light scan's schedule", () => {
  it("scans at the configured interval, and less often when the board would spend more than its share", async () => {
    const { scanIntervalMs } = await import("../../worker/supervisor/workspace-scan.ts");
    const defaults = parseWorkspaceConfig({ ...config, reconcile: {} });
    expect(scanIntervalMs(defaults, 2)).toBe(15 * 60_000); // 2 pages: 8 points an hour
    expect(scanIntervalMs(defaults, 11)).toBe(Math.ceil((11 * 3_600_000) / 40)); // 2,000 items: ~16.5 min
    expect(scanIntervalMs(defaults, 50)).toBe(75 * 60_000); // 10,000 items: 40 points an hour
  });
});
