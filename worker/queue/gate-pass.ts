/**
 * One pass of the pre-dispatch gate over the repo's mirror: keeps the micro queue in step
 * with the board, gives every candidate its verdict in priority-then-age order, and claims
 * and dispatches what may run. It reads nothing from GitHub but dependencies never seen
 * before; the claim's write and read-back are the live re-validation. Used by the repo loop.
 */
import type { BoardItem } from "../board/board-item.ts";
import {
  evaluateGate,
  isFinished,
  ownLeftovers,
  prepareBoard,
  reserveAhead,
  type PreparedBoard,
} from "../board/gate.ts";
import { agentModeOf, COPILOT_CLAIM_OWNER } from "../board/agent-mode.ts";
import { pickAgent } from "./agents.ts";
import { claimForCopilot } from "./claim-cloud.ts";
import { CLAIM_OWNER_PREFIX, claimAndDispatch, clearedClaim } from "./claim-item.ts";
import { isCloudRun, settleCloudSessions } from "./cloud-runs.ts";
import { retryWrite } from "./pending-releases.ts";
import { ensureDependencyStates } from "./reconcile-board.ts";
import { dispatchRework, reworkOf } from "../pr/rework-dispatch.ts";
import type { LoopDeps } from "./repo-loop.ts";
import { syncQa } from "./repo-qa.ts";
import type { QueueItem } from "./micro-queue.ts";
import type { Run } from "./runs.ts";
import type { FinishOutcome } from "./settle-run.ts";
import { steerOnScopeChange } from "./scope-steering.ts";
import { steerRun } from "./steering.ts";

const norm = (value: string | null | undefined): string => (value ?? "").trim().toLowerCase();
/** The dispatcher's own claims: its daemon runs' and Copilot's; every other owner is a person. */
export const isOwnClaim = (owner: string): boolean =>
  owner.startsWith(CLAIM_OWNER_PREFIX) || owner.trim().toLowerCase() === COPILOT_CLAIM_OWNER;

export interface PassHooks {
  /** Ends a run that can no longer go on (its issue closed, its item finished). */
  finishRun(run: Run, reason: string): Promise<void>;
  /** Ends a run with an outcome settled as usual (Copilot's sessions that finished or failed). */
  settleRun(run: Run, outcome: FinishOutcome, reason: string): Promise<void>;
}

export async function gatePass(deps: LoopDeps, hooks: PassHooks): Promise<void> {
  const { config, queue, mirror } = deps;
  syncQueue(deps);
  await settleCloudSessions(deps, (run, outcome, reason) => hooks.settleRun(run, outcome, reason));
  await ensureDependencyStates({ ...deps, board: deps.board });
  await syncQa(deps, mirror.items(), false);
  await retryReleases(deps);
  await clearOwnLeftovers(deps);
  unparkReadied(deps);

  const board = mirror.items();
  const issueStates = deps.depStates.all();
  let prepared: PreparedBoard | undefined;
  // A claim awaits GitHub; if an event moved the mirror meanwhile, the pass it asked for
  // decides the rest with the new values, and this one stops short of claiming on old ones.
  let expected = mirror.version;
  for (const entry of queue.list().filter((candidate) => candidate.state !== "parked")) {
    const item = (entry.itemId === null ? null : mirror.get(entry.itemId)) ?? mirror.byNumber(entry.number);
    const live = deps.runs.liveFor(entry.number);
    if (item === null) {
      if (live === null)
        queue.setState(entry.number, "done", { reason: "The item is no longer on the board." });
      continue;
    }
    if (isFinished(item, config)) {
      const why = item.isArchived
        ? "The item is archived."
        : item.state === "CLOSED"
          ? "The issue is closed."
          : `Status is ${item.fields.status ?? ""}.`;
      if (live !== null) await stopLiveRun(deps, hooks, live, why, "finished");
      queue.setState(entry.number, "done", { reason: why });
      queue.setVerdict(entry.number, "done", why);
      continue;
    }
    prepared ??= prepareBoard(board, config, deps.now());
    if (live !== null) {
      const status = norm(item.fields.status);
      const moved =
        live.state !== "claiming" && !config.statuses.active.some((value) => norm(value) === status);
      if (moved) {
        // A person took the item out of the active values: stop the run, leave their Status be.
        const why = `Status moved to ${item.fields.status ?? "(empty)"} while the run was going.`;
        await stopLiveRun(deps, hooks, live, why, "status");
        queue.setState(entry.number, "done", { reason: why });
        queue.setVerdict(entry.number, "not_ready", why);
        continue;
      }
      if (isCloudRun(live)) {
        const session = deps.cloud.get(live.runId);
        queue.setVerdict(
          entry.number,
          "active",
          `GitHub's Copilot coding agent holds ${live.lockKeys} as ${live.runId} (fence ${live.fence})${session ? `; last: ${session.lastProgress}` : ""}.`,
        );
        continue;
      }
      const steered =
        live.state === "claiming" ? "unchanged" : await steerOnScopeChange(deps, live, item, prepared);
      const note =
        steered === "unchanged"
          ? ""
          : steered === "replanned"
            ? " Its scope changed: told to checkpoint and replan."
            : " Its new scope conflicts: told to stop.";
      queue.setVerdict(
        entry.number,
        "active",
        `Run ${live.runId} (fence ${live.fence}) holds ${deps.runs.get(live.runId)?.lockKeys ?? live.lockKeys}.${note}`,
      );
      continue;
    }
    const rework = reworkOf(deps, entry.number);
    if (rework !== null) {
      if (mirror.version !== expected) return;
      await dispatchRework(deps, entry, item, rework);
      expected = mirror.version;
      continue;
    }
    const verdict = evaluateGate({ item, board, issueStates, config, now: deps.now(), prepared });
    if (verdict.kind === "active") {
      const qa = norm(item.fields.status) === norm(config.statuses.qaRequired);
      queue.setVerdict(
        entry.number,
        qa ? "qa_required" : "active",
        qa ? "Waiting for a person's QA; it holds its lock until the verdict." : verdict.reason,
      );
      continue;
    }
    if (verdict.kind !== "runnable") {
      queue.setVerdict(entry.number, verdict.kind, verdict.reason);
      if (entry.state === "done" && verdict.kind !== "not_ready") queue.setState(entry.number, "queued");
      continue;
    }
    if (entry.state === "done") queue.setState(entry.number, "queued");
    const mode = agentModeOf(item.fields.agentMode, config);
    if (!mode.ok) {
      queue.setVerdict(entry.number, "triage", mode.reason);
      continue;
    }
    if (mode.mode === "local-ide") {
      // A person's item: it is claimed on the board or with `wf claim`, never dispatched.
      queue.setVerdict(entry.number, "local_ide", LOCAL_IDE);
      continue;
    }
    const waiting = waitReason(deps, entry, mode.mode === "cloud");
    if (waiting !== null) {
      queue.setVerdict(entry.number, waiting.verdict, waiting.reason);
      // Waiting for an agent or a resume, it is still ahead in line: later overlapping items wait.
      if (waiting.verdict === "runnable") reserveAhead(prepared, item, verdict.lockKeys);
      continue;
    }
    let claimed: boolean;
    if (mode.mode === "cloud") {
      if (mirror.version !== expected) return;
      const settle = (run: Run, reason: string) => hooks.settleRun(run, "failed", reason);
      claimed = (await claimForCopilot(deps, item, verdict, entry.attempts + 1, settle)) === "assigned";
    } else {
      const agent = pickAgent(deps.agents(), (id) => deps.runs.liveCountFor(id));
      if (agent === null) continue;
      if (mirror.version !== expected) return;
      claimed = await claimAndDispatch(deps, item, agent, verdict, entry.attempts + 1);
    }
    expected = mirror.version;
    if (claimed) prepared.active.push({ item: mirror.get(item.itemId) ?? item, heldKeys: verdict.lockKeys });
  }
}

/**
 * A run that can no longer go on (its item finished, or taken out of the active values): the
 * agent is told to stop, and the run ends here at once, leaving the board's Status as it is.
 */
async function stopLiveRun(
  deps: LoopDeps,
  hooks: PassHooks,
  live: Run,
  why: string,
  cause: string,
): Promise<void> {
  // Copilot has no socket to tell: finishing its run unassigns it (cloud-runs.ts).
  if (isCloudRun(live)) return hooks.finishRun(live, why);
  steerRun(deps, {
    runId: live.runId,
    command: "stop_and_requeue",
    reason: why,
    sourceEventId: `${cause}-${live.runId}`,
    text: "",
  });
  await hooks.finishRun(live, why);
}

const LOCAL_IDE =
  "Agent Mode is local-ide: a person claims it (on the board, or with `wf claim`); it is never dispatched.";

/** Why a runnable item is not claimed now, or null when it may be (`cloud`: no agent needed). */
function waitReason(
  deps: LoopDeps,
  entry: QueueItem,
  cloud: boolean,
): { verdict: string; reason: string } | null {
  if (entry.notBefore > deps.now()) {
    const when = new Date(entry.notBefore).toISOString();
    return {
      verdict: "backoff",
      reason: `Retry ${entry.attempts + 1} is due at ${when}, after a failed attempt.`,
    };
  }
  if (deps.paused()) return { verdict: "runnable", reason: "Runnable; dispatch is paused by the operator." };
  if (cloud) return null;
  if (pickAgent(deps.agents(), (id) => deps.runs.liveCountFor(id)) !== null) return null;
  return {
    verdict: "runnable",
    reason:
      deps.agents().length === 0
        ? "Runnable; no agent connected for this repo."
        : "Runnable; every connected agent is at capacity.",
  };
}

/** Queue rows follow the mirror: candidates join, items that left the board are done. */
function syncQueue(deps: LoopDeps): void {
  const { config, queue, mirror, repo } = deps;
  const now = deps.now();
  const wanted = new Set([norm(config.statuses.ready), norm(config.statuses.qaRequired)]);
  const rows = new Map(queue.list().map((row) => [row.number, row]));
  deps.transaction(() => {
    for (const item of mirror.items()) {
      if (item.number === null || item.contentType !== "Issue" || norm(item.repo) !== norm(repo.name))
        continue;
      const row = rows.get(item.number);
      if (row === undefined && !wanted.has(norm(item.fields.status))) continue;
      const rank = priorityRank(deps, item);
      // Written only when something shown changed: a pass must not rewrite the whole queue.
      if (row && row.title === item.title && row.priorityRank === rank && row.itemId === item.itemId)
        continue;
      queue.upsert({ number: item.number, itemId: item.itemId, title: item.title, priorityRank: rank, now });
    }
  });
}

/**
 * A parked item goes to Triage; a person who moves it back to Ready on the board asks for it
 * to run again, as `wf retry` does: its attempts start over (the board wins over the queue).
 */
function unparkReadied(deps: LoopDeps): void {
  const { queue, mirror, config } = deps;
  for (const entry of queue.list().filter((candidate) => candidate.state === "parked")) {
    const item = (entry.itemId === null ? null : mirror.get(entry.itemId)) ?? mirror.byNumber(entry.number);
    if (item === null || isFinished(item, config) || norm(item.fields.status) !== norm(config.statuses.ready))
      continue;
    const reason = `Status set to ${config.statuses.ready} on the board after it was parked; it is gated again.`;
    deps.transaction(() => {
      queue.setState(entry.number, "queued", { attempts: 0, notBefore: 0, reason });
      queue.setVerdict(entry.number, "requeued", reason);
    });
    deps.log("unparked", { number: entry.number, status: item.fields.status });
  }
}

/** Releases that failed after their run finished, written now (or dropped when moot). */
async function retryReleases(deps: LoopDeps): Promise<void> {
  const own = { isOwnClaim, inProgress: deps.config.statuses.inProgress };
  for (const release of deps.releases.list()) {
    const item = deps.mirror.get(release.itemId);
    const write = item === null ? null : retryWrite(item, release, own);
    // Gone from the board, claimed anew, or released meanwhile: nothing is owed any more.
    if (item === null || write === null || deps.runs.liveFor(release.number) !== null) {
      deps.releases.done(release.itemId, release.runId);
      continue;
    }
    try {
      const status = write.status === null ? {} : { status: write.status };
      if (release.keepLock) {
        // A hand-over to the item's PR: the lock stays, the lease fields go (finish-run.ts).
        const values = { leaseExpires: null, lastHeartbeat: null, ...status };
        const written = await deps.board.updateFields("hand over", item, values);
        deps.mirror.applyOwnWrite(item.itemId, values, written.updatedAt, deps.now());
      } else {
        const written = await deps.board.releaseClaim(item, write);
        deps.mirror.applyOwnWrite(
          item.itemId,
          { ...clearedClaim(), ...status },
          written.updatedAt,
          deps.now(),
        );
      }
      deps.releases.done(release.itemId, release.runId);
      deps.log("release_retried", { number: release.number, runId: release.runId, status: write.status });
    } catch (error) {
      deps.log("release_retry_failed", {
        number: release.number,
        runId: release.runId,
        error: String(error),
      });
    }
  }
}

/** The dispatcher's own claim fields left on finished items are cleared (a person's are reported). */
async function clearOwnLeftovers(deps: LoopDeps): Promise<void> {
  for (const item of ownLeftovers(deps.mirror.items(), deps.config, isOwnClaim)) {
    if (item.number !== null && deps.runs.liveFor(item.number) !== null) continue;
    try {
      const written = await deps.board.releaseClaim(item, {});
      deps.mirror.applyOwnWrite(item.itemId, clearedClaim(), written.updatedAt, deps.now());
      deps.log("leftover_claim_cleared", { number: item.number, status: item.fields.status });
    } catch (error) {
      deps.log("leftover_claim_clear_failed", { number: item.number, error: String(error) });
    }
  }
}

export function priorityRank(deps: Pick<LoopDeps, "config">, item: BoardItem): number {
  const index = deps.config.priorities.findIndex((p) => norm(p) === norm(item.fields.priority));
  return index === -1 ? deps.config.priorities.length : index;
}
