/**
 * Reconciliation budget: GitHub points charged per reconciliation of a large repo's mirror,
 * read from the board client's meter against the local emulator. Baseline: a full read
 * (`listItems`). Compared: the light scan of the items not done with nothing changed, and
 * with 1% of the items edited (scan plus the changed items by id).
 */
import { largeBoardSeed } from "../emulator/seed/large-board.ts";
import { startEmulator, type RunningEmulator } from "../emulator/server.ts";
import { BoardClient } from "../worker/board/board-client.ts";
import { parseWorkspaceConfig } from "../worker/config/workspace-config.ts";
import { BoardMirror, MIRROR_SCHEMA } from "../worker/queue/board-mirror.ts";
import { DependencyStates, DEPENDENCY_STATES_SCHEMA } from "../worker/queue/dependency-states.ts";
import { Meta, META_SCHEMA } from "../worker/queue/meta.ts";
import { reconcileBoard, type ReconcileDeps } from "../worker/queue/reconcile-board.ts";
import { NodeSql } from "../test/support/node-sql.ts";
import type { BenchResult, Row } from "./report.ts";

const SIZES = [1_000, 5_000] as const;
const HOURLY_POINTS = 5_000;
const ORG = "phoenix-agentic";
const REPO = `${ORG}/Large-Board-Repo`;
const STATUSES = ["Backlog", "Ready", "In Progress", "QA Required", "Done"] as const;

const config = parseWorkspaceConfig({
  workspace: "bench",
  project: { org: ORG, number: 1 },
  repos: [{ name: REPO, areas: [{ name: "worker", paths: ["worker/"] }] }],
});

async function editField(
  emulator: RunningEmulator,
  number: number,
  field: string,
  value: string,
): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/field-value`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ item: `${REPO}#${number}`, field, value }),
  });
  if (!response.ok)
    throw new Error(`field-value on #${number} answered ${response.status}: ${await response.text()}`);
}

/** Points and wall time one read was charged, from the client's own meter. */
async function charged(
  board: BoardClient,
  read: () => Promise<unknown>,
): Promise<{ points: number; ms: number }> {
  const before = board.budget().totalCost;
  const start = performance.now();
  await read();
  return { points: board.budget().totalCost - before, ms: performance.now() - start };
}

function row(size: number, name: string, points: number, fullPoints: number): Row {
  const perHour = HOURLY_POINTS / points;
  return {
    case: `${size} items: ${name}`,
    value: points,
    unit: "points",
    baselineName: "full read",
    baseline: fullPoints,
    ratio: points / fullPoints,
    note: `${perHour.toFixed(0)} refreshes/h`,
  };
}

async function measureSize(size: number): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  // A budget GitHub never gives, so the emulator never refuses; the meter still records every charge.
  const emulator = await startEmulator({ seed: largeBoardSeed({ items: size }), rateLimit: 1_000_000_000 });
  try {
    const board = new BoardClient({ config, auth: { token: "bench" }, apiUrl: emulator.url });
    await board.projectSchema();
    const full = await charged(board, () => board.listItems());
    const scan = await charged(board, () => board.scanItems());

    const sql = new NodeSql();
    sql.exec(MIRROR_SCHEMA + DEPENDENCY_STATES_SCHEMA + META_SCHEMA);
    const deps: ReconcileDeps = {
      config,
      repo: config.repos[0]!,
      mirror: new BoardMirror(sql),
      depStates: new DependencyStates(sql),
      meta: new Meta(sql),
      board,
      now: Date.now,
    };
    await reconcileBoard(deps, "full");
    const edits = Math.max(1, Math.round(size / 100));
    for (let index = 0; index < edits; index += 1) {
      // Spread over the board, each to a Status other than its seeded one, so every edit is a change.
      const number = 1 + Math.floor((index * size) / edits);
      await editField(emulator, number, "Status", STATUSES[(number + 1) % STATUSES.length] ?? "Ready");
    }
    const refresh = await charged(board, () => reconcileBoard(deps, "scan"));
    if (deps.mirror.count() !== size)
      throw new Error(`the mirror holds ${deps.mirror.count()} items, expected ${size}`);
    const idle = await charged(board, () => reconcileBoard(deps, "scan"));

    return {
      rows: [
        row(size, "full read (listItems)", full.points, full.points),
        row(size, "light scan, every item (scanItems)", scan.points, full.points),
        row(size, `reconcile: scan of items not done, ${edits} edited`, refresh.points, full.points),
        row(size, "reconcile: scan of items not done, none edited", idle.points, full.points),
      ],
      details: {
        [`ms_${size}`]: {
          fullRead: Math.round(full.ms),
          scan: Math.round(scan.ms),
          refresh: Math.round(refresh.ms),
          idleRefresh: Math.round(idle.ms),
        },
      },
    };
  } finally {
    await emulator.close();
  }
}

export async function boardBudget(): Promise<BenchResult> {
  const start = performance.now();
  const rows: Row[] = [];
  let details: Record<string, unknown> = { hourlyPoints: HOURLY_POINTS };
  for (const size of SIZES) {
    const measured = await measureSize(size);
    rows.push(...measured.rows);
    details = { ...details, ...measured.details };
  }
  return {
    bench: "board-budget",
    title: "GitHub points per reconciliation of one repo's mirror",
    rows,
    details,
    ms: performance.now() - start,
  };
}
