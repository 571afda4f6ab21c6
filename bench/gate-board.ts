/**
 * A synthetic board for the gate benchmark, the same on every run (seeded): items spread
 * over the repos of `workspace.config.json`, with active lock holders, file-scope locks and
 * globs, live and stale claims, dependencies on and off the board, and some broken input.
 */
import { readFileSync } from "node:fs";
import { BoardItem, emptyFields, type IssueState } from "../worker/board/board-item.ts";
import { unresolvedDependencyRefs } from "../worker/board/gate.ts";
import { formatLockKeys } from "../worker/board/locks.ts";
import type { Area, WorkspaceConfig } from "../worker/config/workspace-config.ts";
import { parseWorkspaceConfigText } from "../worker/config/workspace-config.ts";

export type GateBoard = {
  config: WorkspaceConfig;
  board: BoardItem[];
  /** The Ready items: what the RepoQueue puts through the gate. */
  candidates: BoardItem[];
  issueStates: IssueState[];
  now: number;
};

export const NOW = Date.parse("2026-05-01T12:00:00Z");

/** mulberry32: small, fast, and enough for a fixed mix. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATUS_MIX: ReadonlyArray<[string, number]> = [
  ["Backlog", 0.25],
  ["Ready", 0.35],
  ["In Progress", 0.12],
  ["QA Required", 0.05],
  ["In Review", 0.03],
  ["Done", 0.2],
];

export function gateBoard(size: number, seed = 1): GateBoard {
  const config = parseWorkspaceConfigText(
    readFileSync(new URL("../workspace.config.json", import.meta.url), "utf8"),
  );
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => {
    const value = list[Math.floor(next() * list.length)];
    if (value === undefined) throw new Error("pick from an empty list");
    return value;
  };
  const status = (): string => {
    let roll = next();
    for (const [name, share] of STATUS_MIX) {
      roll -= share;
      if (roll < 0) return name;
    }
    return "Backlog";
  };
  /** A file or glob under one of the area's paths. */
  const neededFile = (area: Area): string => {
    const root = pick(area.paths).replace(/\*/g, "x");
    const dir = root.endsWith("/") ? root : `${root}/`;
    const roll = next();
    if (roll < 0.5) return `${dir}part${Math.floor(next() * 8)}/file${Math.floor(next() * 20)}.ts`;
    if (roll < 0.8) return `${dir}part${Math.floor(next() * 8)}/*.ts`;
    return `${dir}**/*.md`;
  };
  const iso = (offsetMs: number): string => new Date(NOW + offsetMs).toISOString();

  const numbers = new Map<string, number>();
  const board: BoardItem[] = [];
  for (let index = 0; index < size; index += 1) {
    const repo = pick(config.repos);
    const number = (numbers.get(repo.name) ?? 0) + 1;
    numbers.set(repo.name, number);
    const area = pick(repo.areas);
    const fields = { ...emptyFields(), status: status() };
    const areaRoll = next();
    fields.area = areaRoll < 0.03 ? null : areaRoll < 0.04 ? "no-such-area" : area.name;
    const fileScope = area.lockScope === "files" || next() < 0.15;
    if (fileScope && area.lockScope !== "files") fields.lockScope = "files";
    if (fileScope || next() < 0.3) {
      const count = 1 + Math.floor(next() * 3);
      fields.neededFiles = Array.from({ length: count }, () => neededFile(area)).join(", ");
    }
    const active = fields.status === "In Progress" || fields.status === "QA Required";
    const claimRoll = next();
    if (active || (fields.status === "Ready" && claimRoll < 0.08)) {
      // Active items and a few fresh claims hold keys; some Ready claims have gone stale.
      const live = active || claimRoll < 0.05;
      const keys = fileScope
        ? (fields.neededFiles ?? "").split(", ").map((path) => ({ area: area.name, path }))
        : [{ area: area.name, path: null }];
      fields.lockKey = formatLockKeys(keys);
      fields.claimOwner = `worker-factory:agent-${Math.floor(next() * 6)}`;
      fields.leaseExpires = iso(live ? 10 * 60_000 : -5 * 60_000);
      fields.lastHeartbeat = iso(-30_000);
    }
    const dependencies: string[] = [];
    if (number > 1 && next() < 0.3) dependencies.push(`#${1 + Math.floor(next() * (number - 1))}`);
    if (next() < 0.1) dependencies.push(`${pick(config.repos).name}#${1 + Math.floor(next() * 50)}`);
    if (next() < 0.05) dependencies.push(`#${9_000 + Math.floor(next() * 100)}`);
    if (next() < 0.02) dependencies.push("soon");
    if (dependencies.length > 0) fields.dependsOn = dependencies.join(", ");
    const blockedBy: IssueState[] =
      next() < 0.1
        ? [
            {
              repo: repo.name,
              number: 8_000 + Math.floor(next() * 100),
              state: next() < 0.5 ? "CLOSED" : "OPEN",
              stateReason: null,
            },
          ]
        : [];
    const closed = fields.status === "Done" && next() < 0.5;
    board.push(
      BoardItem.parse({
        itemId: `PVTI_${index}`,
        contentType: "Issue",
        contentId: `I_${index}`,
        repo: repo.name,
        number,
        title: `Issue ${number}`,
        url: `https://github.com/${repo.name}/issues/${number}`,
        state: closed ? "CLOSED" : "OPEN",
        stateReason: closed ? "COMPLETED" : null,
        isArchived: next() < 0.01,
        updatedAt: iso(-index * 1_000),
        blockedBy,
        fields,
      }),
    );
  }
  const candidates = board.filter((item) => item.fields.status === config.statuses.ready);
  const issueStates = unresolvedDependencyRefs(candidates, board).map((ref): IssueState => ({
    ...ref,
    state: ref.number % 2 === 0 ? "CLOSED" : "OPEN",
    stateReason: ref.number % 2 === 0 ? "COMPLETED" : null,
  }));
  return { config, board, candidates, issueStates, now: NOW };
}
