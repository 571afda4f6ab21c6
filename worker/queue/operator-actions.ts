/**
 * The operator's actions on one item of a repo, by number rather than run id (`wf` and the
 * `/api/*` routes through the supervisor): explain it, steer its live run, retry it now or
 * unpark it, release a person's stale claim on it, pause or resume the repo. Plain functions;
 * the RepoQueue's operator block gives them its storage, its loop and a board read.
 */
import type { RepoConfig, WorkspaceConfig } from "../config/workspace-config.ts";
import type { BoardItem } from "../board/board-item.ts";
import { staleClaims, unresolvedDependencyRefs } from "../board/gate.ts";
import type { BoardPort } from "./board-port.ts";
import { CLAIM_OWNER_PREFIX } from "./claim-item.ts";
import { explainItem, type Explanation } from "./explain-item.ts";
import type { MicroQueue } from "./micro-queue.ts";
import type { Runs } from "./runs.ts";
import type { SteerInput, SteerResult } from "./steering.ts";

export interface OperatorDeps {
  config: WorkspaceConfig;
  repo: RepoConfig;
  queue: MicroQueue;
  runs: Runs;
  board: Pick<BoardPort, "getIssueStates" | "releaseClaim">;
  /**
   * This repo's items as the board shows them now. Operator actions are rare and must not
   * act on a stale copy: one filtered read (about 1 point per 100 items of the repo).
   */
  readBoard: () => Promise<BoardItem[]>;
  steer: (input: SteerInput) => SteerResult;
  paused: () => boolean;
  agents: () => number;
  /** The board changed under the loop's cache: re-read this item on the next refresh. */
  invalidate: (itemId: string) => void;
  transaction: (work: () => void) => void;
  now: () => number;
}

/** An answer that says what changed; refusals carry the HTTP meaning the routes give them. */
export type ActionResult =
  | { ok: true; item: string; changed: boolean; detail: string }
  | { ok: false; code: "not_found" | "conflict"; error: string };

const norm = (value: string | null | undefined): string => (value ?? "").trim().toLowerCase();

export async function explain(deps: OperatorDeps, number: number): Promise<Explanation | null> {
  const { config, repo, queue, runs } = deps;
  const board = await deps.readBoard();
  const item = board.find((candidate) => candidate.number === number);
  const foreign = item === undefined ? [] : unresolvedDependencyRefs([item], board);
  const issueStates = foreign.length > 0 ? await deps.board.getIssueStates(foreign) : [];
  return explainItem({
    config,
    repo,
    number,
    board,
    issueStates,
    entry: queue.get(number),
    run: runs.liveFor(number),
    paused: deps.paused(),
    agents: deps.agents(),
    now: deps.now(),
  });
}

/** Steers the item's live run, whatever its run id. */
export function steerItem(
  deps: OperatorDeps,
  number: number,
  input: Omit<SteerInput, "runId">,
): SteerResult & { runId?: string } {
  const live = deps.runs.liveFor(number);
  if (live === null) {
    const entry = deps.queue.get(number);
    const why = entry === null ? "it is not in the repo's queue" : `it is ${entry.state}: ${entry.reason}`;
    return { ok: false, error: `${deps.repo.name}#${number} has no live run to steer (${why})` };
  }
  const result = deps.steer({ ...input, runId: live.runId });
  return result.ok ? { ...result, runId: live.runId } : result;
}

/**
 * Retry now: a queued item waiting out its backoff goes at once; a parked item gets its
 * attempts back and its Status set to Ready again (one board write).
 */
export async function retry(deps: OperatorDeps, number: number): Promise<ActionResult> {
  const { config, queue, runs, repo } = deps;
  const ref = `${repo.name}#${number}`;
  const entry = queue.get(number);
  if (entry === null) return { ok: false, code: "not_found", error: `${ref} is not in the repo's queue` };
  const live = runs.liveFor(number);
  if (live !== null) {
    return { ok: false, code: "conflict", error: `${ref} is running as ${live.runId}; stop it first` };
  }
  const now = deps.now();
  if (entry.state === "parked") {
    if (entry.snapshot !== null) {
      await deps.board.releaseClaim(entry.snapshot, { status: config.statuses.ready });
      deps.invalidate(entry.snapshot.itemId);
    }
    const detail = `unparked: attempts reset from ${entry.attempts} to 0, Status set to ${config.statuses.ready}`;
    deps.transaction(() => {
      queue.setState(number, "queued", { attempts: 0, notBefore: 0, reason: "unparked by the operator" });
      queue.setVerdict(number, "requeued", "Unparked by the operator; it is gated again.");
    });
    return { ok: true, item: ref, changed: true, detail };
  }
  if (entry.state === "queued" && entry.notBefore > now) {
    const detail = `retry ${entry.attempts + 1} brought forward from ${new Date(entry.notBefore).toISOString()} to now`;
    queue.setState(number, "queued", { notBefore: 0 });
    return { ok: true, item: ref, changed: true, detail };
  }
  if (entry.state === "queued") {
    return { ok: true, item: ref, changed: false, detail: `nothing to retry: ${entry.reason}` };
  }
  return {
    ok: false,
    code: "conflict",
    error: `${ref} is ${entry.state}, not waiting for a retry (${entry.reason})`,
  };
}

/**
 * Releases a person's claim whose lease has passed: clears its lock fields and, when its
 * Status still holds the lock, sets it back to Ready. The board is read first, so a claim
 * renewed meanwhile is never cleared. Dispatcher runs are stopped, not released.
 */
export async function releaseStaleClaim(deps: OperatorDeps, number: number): Promise<ActionResult> {
  const { config, repo } = deps;
  const ref = `${repo.name}#${number}`;
  const board = await deps.readBoard();
  const item = board.find((candidate) => candidate.number === number);
  if (item === undefined) return { ok: false, code: "not_found", error: `${ref} is not on the board` };
  const owner = item.fields.claimOwner?.trim() ?? "";
  if (owner === "") return { ok: true, item: ref, changed: false, detail: "no claim to release" };
  if (owner.startsWith(CLAIM_OWNER_PREFIX)) {
    return {
      ok: false,
      code: "conflict",
      error: `${ref} is claimed by the dispatcher (${owner}); stop its run instead`,
    };
  }
  const [stale] = staleClaims([item], config, deps.now(), () => false);
  if (stale === undefined) {
    return {
      ok: false,
      code: "conflict",
      error: `${ref} is claimed by ${owner} until ${item.fields.leaseExpires ?? "?"}: the lease still runs`,
    };
  }
  const holdsByStatus = config.statuses.active.some((status) => norm(status) === norm(item.fields.status));
  const status = holdsByStatus ? config.statuses.ready : null;
  await deps.board.releaseClaim(item, { status });
  deps.invalidate(item.itemId);
  const cleared = [`Claim Owner ${owner}`, `Lease Expires ${item.fields.leaseExpires ?? "(none)"}`];
  if (item.fields.lockKey) cleared.push(`Lock Key ${item.fields.lockKey}`);
  const detail = `cleared ${cleared.join(", ")}${status ? `; Status ${item.fields.status} → ${status}` : ""}`;
  return { ok: true, item: ref, changed: true, detail };
}
