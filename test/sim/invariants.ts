/**
 * The fault simulation's invariant checker. It reads the whole event log, and nothing else:
 * never two holders of overlapping lock keys at one instant (runs at work in a daemon and
 * people's IDE claims); no frame with a stale fence acted on; every runnable item dispatched
 * in the end, and no item lost (the `final_*` entries written once the world is quiet); no
 * uncommitted work deleted or overwritten.
 */
import { findKeyConflicts, parseLockKeys, type LockKey } from "../../worker/board/locks.ts";
import { CLAIM_OWNER_PREFIX } from "../../worker/queue/claim-item.ts";
import type { WorkspaceConfig } from "../../worker/config/workspace-config.ts";
import type { LogEntry } from "./event-log.ts";

export interface Violation {
  invariant: "double_holder" | "stale_fence" | "not_dispatched" | "item_lost" | "work_deleted" | "not_quiet";
  t: number;
  /** Index of the entry that broke it. */
  at: number;
  message: string;
}

interface Holder {
  name: string;
  repo: string;
  keys: LockKey[];
}

const text = (value: unknown): string => (typeof value === "string" ? value : String(value ?? ""));
const num = (value: unknown): number => (typeof value === "number" ? value : Number.NaN);

function keysOf(entry: LogEntry): LockKey[] {
  const keys = Array.isArray(entry.keys) ? entry.keys.map(text).join(", ") : text(entry.keys);
  return parseLockKeys(keys, text(entry.repo)).keys;
}

export function checkInvariants(log: readonly LogEntry[], config: WorkspaceConfig): Violation[] {
  const violations: Violation[] = [];
  const fail = (invariant: Violation["invariant"], index: number, message: string): void => {
    violations.push({ invariant, t: log[index]?.t ?? 0, at: index, message });
  };

  const holders = new Map<string, Holder>();
  /** Each run's dispatch: repo, issue, fence, keys; in the order they were sent. */
  const dispatches = new Map<
    string,
    { repo: string; issue: number; fence: number; keys: LockKey[]; index: number }
  >();
  const framesIn = new Map<string, { runId: string; fence: number; type: string; index: number }>();
  const answered = new Set<string>();
  const finished = new Set<string>();
  /** Worktrees with uncommitted work, per agent and branch. */
  const dirty = new Set<string>();

  log.forEach((entry, index) => {
    switch (entry.kind) {
      case "agent_working":
      case "person_claim": {
        const name =
          entry.kind === "person_claim"
            ? `${text(entry.actor)} on ${text(entry.item)}`
            : `run ${text(entry.runId)}`;
        const holder: Holder = { name, repo: text(entry.repo), keys: keysOf(entry) };
        for (const other of holders.values()) {
          if (other.repo.toLowerCase() !== holder.repo.toLowerCase()) continue;
          const conflicts = findKeyConflicts(holder.keys, other.keys, config);
          if (conflicts.length > 0)
            fail(
              "double_holder",
              index,
              `${name} holds overlapping keys with ${other.name} in ${holder.repo}`,
            );
        }
        holders.set(entry.kind === "person_claim" ? `person ${text(entry.item)}` : text(entry.runId), holder);
        return;
      }
      case "agent_finished":
        holders.delete(text(entry.runId));
        return;
      case "agent_killed":
        for (const runId of Array.isArray(entry.runs) ? entry.runs : []) holders.delete(text(runId));
        return;
      case "person_release":
        holders.delete(`person ${text(entry.item)}`);
        return;
      case "dispatch":
        if (!dispatches.has(text(entry.runId))) {
          const d = {
            repo: text(entry.repo),
            issue: num(entry.issue),
            fence: num(entry.fence),
            keys: keysOf(entry),
            index,
          };
          dispatches.set(text(entry.runId), d);
        }
        return;
      case "frame_in":
        if (!framesIn.has(text(entry.id)))
          framesIn.set(text(entry.id), {
            runId: text(entry.runId),
            fence: num(entry.fence),
            type: text(entry.type),
            index,
          });
        return;
      case "frame_reply": {
        const id = text(entry.id);
        const frame = framesIn.get(id);
        // Only the first answer acts; a resent frame gets the journalled reply.
        if (frame === undefined || answered.has(id)) return;
        answered.add(id);
        if (entry.ok !== true) return;
        const stale = staleness(frame, dispatches, finished, config);
        if (stale !== null)
          fail(
            "stale_fence",
            index,
            `${frame.type} ${id} of run ${frame.runId} (fence ${frame.fence}) acted on: ${stale}`,
          );
        if (frame.type === "run_finished") finished.add(frame.runId);
        return;
      }
      case "worktree_removed":
        if (entry.dirty === true)
          fail(
            "work_deleted",
            index,
            `${text(entry.agent)} removed ${text(entry.branch)} with uncommitted work`,
          );
        return;
      case "worktree_kept":
        dirty.add(`${text(entry.agent)} ${text(entry.branch)}`);
        return;
      case "worktree_made":
        if (dirty.has(`${text(entry.agent)} ${text(entry.branch)}`))
          fail(
            "work_deleted",
            index,
            `${text(entry.agent)} made ${text(entry.branch)} afresh over uncommitted work`,
          );
        return;
      case "worktree_resumed":
        dirty.delete(`${text(entry.agent)} ${text(entry.branch)}`);
        return;
      case "final_agent":
        if (num(entry.liveRuns) > 0)
          fail("not_quiet", index, `${text(entry.agent)} still has ${num(entry.liveRuns)} run(s)`);
        return;
      case "final_item":
        finalItem(entry, index, fail);
        return;
    }
  });
  if (!log.some((entry) => entry.kind === "final_item"))
    fail("not_quiet", log.length - 1, "the log has no final state");
  return violations;
}

/** Why a frame of `frame.runId` is stale at its arrival, or null when its fence was current. */
function staleness(
  frame: { runId: string; fence: number; index: number },
  dispatches: Map<string, { repo: string; issue: number; fence: number; keys: LockKey[]; index: number }>,
  finished: Set<string>,
  config: WorkspaceConfig,
): string | null {
  if (finished.has(frame.runId)) return "its run had already finished";
  const own = dispatches.get(frame.runId);
  if (own === undefined) return null;
  for (const [runId, other] of dispatches) {
    if (runId === frame.runId || other.index > frame.index || other.repo !== own.repo) continue;
    if (other.fence > frame.fence && other.issue === own.issue)
      return `issue #${own.issue} was dispatched again with fence ${other.fence} (run ${runId})`;
    if (other.fence > frame.fence && findKeyConflicts(own.keys, other.keys, config).length > 0)
      return `its keys passed to issue #${other.issue} with fence ${other.fence} (run ${runId})`;
  }
  return null;
}

function finalItem(
  entry: LogEntry,
  index: number,
  fail: (kind: Violation["invariant"], index: number, message: string) => void,
): void {
  const ref = `${text(entry.repo)}#${num(entry.number)}`;
  if (entry.verdict === "runnable")
    fail("not_dispatched", index, `${ref} is runnable and was never dispatched to the end`);
  if (text(entry.claimOwner).startsWith(CLAIM_OWNER_PREFIX) && entry.status === "In Progress")
    fail("item_lost", index, `${ref} is claimed by ${text(entry.claimOwner)} with no run alive`);
  if (entry.queueState === "running")
    fail("item_lost", index, `${ref} is running in its RepoQueue with no run alive`);
}
