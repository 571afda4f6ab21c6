/**
 * Why an item is or is not running, in the gate's own terms: its board fields, the lock keys
 * it asks for, who holds overlapping keys (a dispatcher run, a person's claim, or a Status),
 * its dependencies and their states, its place in the micro queue and its live run. Pure;
 * operator-actions.ts gives it a board read and the queue's rows (`wf explain`, /api/explain).
 */
import type { WorkspaceConfig, RepoConfig } from "../config/workspace-config.ts";
import type { BoardItem, IssueState } from "../board/board-item.ts";
import {
  dependencyRefs,
  dependencyState,
  evaluateGate,
  prepareBoard,
  type GateVerdict,
} from "../board/gate.ts";
import { formatIssueRef, issueRefKey } from "../board/issue-refs.ts";
import { agentModeOf } from "../board/agent-mode.ts";
import { findKeyConflicts, formatLockKeys, requestedLocks } from "../board/locks.ts";
import { isCloudRun } from "./cloud-runs.ts";
import { isOwnClaim } from "./gate-pass.ts";
import type { QueueItem } from "./micro-queue.ts";
import type { Run } from "./runs.ts";

export interface LockHolderView {
  item: string;
  title: string;
  url: string | null;
  /** `run`: a claim of the dispatcher; `person`: someone's claim on the board; `status`: an active Status alone (as in lock-map.ts). */
  kind: "run" | "person" | "status";
  status: string | null;
  claimOwner: string | null;
  leaseExpires: string | null;
  heldKeys: string;
  overlapping: string;
}

export interface Explanation {
  item: string;
  title: string;
  url: string | null;
  /** One sentence: why it is or is not running. */
  summary: string;
  board: BoardItem["fields"] | null;
  gate: { kind: GateVerdict["kind"]; reason: string };
  requested: { area: string; scope: string; keys: string } | { problem: string };
  holders: LockHolderView[];
  dependencies: { item: string; source: "depends_on" | "blocked_by"; state: string }[];
  queue: {
    state: string;
    verdict: string;
    reason: string;
    attempts: number;
    maxAttempts: number;
    retryNotBefore: string | null;
  } | null;
  run: {
    runId: string;
    fence: number;
    agentId: string;
    state: string;
    leaseExpires: string;
    lastHeartbeat: string;
    lockKeys: string;
  } | null;
  paused: boolean;
  agents: number;
}

export interface ExplainInput {
  config: WorkspaceConfig;
  repo: RepoConfig;
  number: number;
  /** This repo's items as the board shows them now. */
  board: readonly BoardItem[];
  issueStates: readonly IssueState[];
  entry: QueueItem | null;
  run: Run | null;
  paused: boolean;
  agents: number;
  now: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function holderKind(item: BoardItem): LockHolderView["kind"] {
  const owner = item.fields.claimOwner?.trim() ?? "";
  if (isOwnClaim(owner)) return "run";
  return owner === "" ? "status" : "person";
}

export function explainItem(input: ExplainInput): Explanation | null {
  const { config, repo, number, board, entry, run, now } = input;
  const ref = `${repo.name}#${number}`;
  const item = board.find((candidate) => candidate.number === number) ?? null;
  if (item === null && entry === null) return null;
  const title = item?.title ?? entry?.title ?? "";
  const verdict: GateVerdict =
    item === null
      ? { kind: "not_ready", code: "status", reason: "The item is not on the board." }
      : evaluateGate({ item, board, issueStates: input.issueStates, config, now });
  const requested = item === null ? null : requestedLocks(item, repo);
  const prepared = prepareBoard(board, config, now);
  const holders: LockHolderView[] = [];
  if (item !== null && requested?.ok) {
    for (const { item: other, heldKeys } of prepared.active) {
      if (other.itemId === item.itemId) continue;
      const conflicts = findKeyConflicts(requested.keys, heldKeys, config);
      if (conflicts.length === 0) continue;
      holders.push({
        item: other.number === null ? other.itemId : `${repo.name}#${other.number}`,
        title: other.title,
        url: other.url,
        kind: holderKind(other),
        status: other.fields.status,
        claimOwner: other.fields.claimOwner,
        leaseExpires: other.fields.leaseExpires,
        heldKeys: formatLockKeys(heldKeys),
        overlapping: formatLockKeys(conflicts.map((conflict) => conflict.held)),
      });
    }
  }
  const known = new Map<string, IssueState>();
  for (const state of [...(item?.blockedBy ?? []), ...input.issueStates])
    known.set(issueRefKey(state), state);
  const dependencies =
    item === null
      ? []
      : dependencyRefs(item).refs.map((dep) => ({
          item: formatIssueRef(dep.ref),
          source: dep.source,
          state: dependencyState(dep.ref, prepared.index, known, config),
        }));
  return {
    item: ref,
    title,
    url: item?.url ?? null,
    summary: summarize(input, verdict),
    board: item?.fields ?? null,
    gate: { kind: verdict.kind, reason: "reason" in verdict ? verdict.reason : "Runnable." },
    requested:
      requested === null
        ? { problem: "The item is not on the board." }
        : requested.ok
          ? { area: requested.area.name, scope: requested.scope, keys: formatLockKeys(requested.keys) }
          : { problem: requested.reason },
    holders,
    dependencies,
    queue:
      entry === null
        ? null
        : {
            state: entry.state,
            verdict: entry.verdict,
            reason: entry.reason,
            attempts: entry.attempts,
            maxAttempts: config.dispatch.maxAttempts,
            retryNotBefore: entry.notBefore > now ? iso(entry.notBefore) : null,
          },
    run:
      run === null
        ? null
        : {
            runId: run.runId,
            fence: run.fence,
            agentId: run.agentId,
            state: run.state,
            leaseExpires: iso(run.leaseExpires),
            lastHeartbeat: iso(run.lastHeartbeat),
            lockKeys: run.lockKeys,
          },
    paused: input.paused,
    agents: input.agents,
  };
}

function summarize(input: ExplainInput, verdict: GateVerdict): string {
  const { entry, run, config, now } = input;
  if (run !== null && isCloudRun(run)) {
    return `GitHub's Copilot coding agent works on it as ${run.runId} (fence ${run.fence}), holding ${run.lockKeys}.`;
  }
  if (run !== null) {
    return `Running as ${run.runId} on ${run.agentId} (fence ${run.fence}), holding ${run.lockKeys}.`;
  }
  if (entry?.state === "parked") {
    return `Parked after ${entry.attempts} of ${config.dispatch.maxAttempts} attempts failed: ${entry.reason} Retry it with \`wf retry\`.`;
  }
  if (verdict.kind !== "runnable") return verdict.reason;
  const item = input.board.find((candidate) => candidate.number === input.number);
  const mode = agentModeOf(item?.fields.agentMode ?? null, config);
  if (!mode.ok) return mode.reason;
  if (mode.mode === "local-ide")
    return "Agent Mode is local-ide: a person claims it (on the board, or with `wf claim`); it is never dispatched.";
  if (mode.mode === "cloud" && entry?.verdict === "cloud_unavailable") return entry.reason;
  if (entry === null)
    return "Runnable on the board, but not in the repo's queue yet: it joins on the next read.";
  if (entry.notBefore > now) {
    return `Runnable; retry ${entry.attempts + 1} waits out its backoff until ${iso(entry.notBefore)} (\`wf retry\` runs it now).`;
  }
  if (input.paused) return "Runnable, but dispatch is paused for this repo (`wf resume`).";
  if (mode.mode === "cloud") return "Runnable; it goes to GitHub's Copilot coding agent (Agent Mode cloud).";
  if (input.agents === 0) return "Runnable; no agent is connected for this repo.";
  return "Runnable; it goes to the next agent with a free slot.";
}
