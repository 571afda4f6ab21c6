/**
 * The operator's actions on one item of a repo, by number rather than run id (`wf` and the
 * `/api/*` routes through the supervisor): explain it, steer its live run, retry it now or
 * unpark it, release a person's stale claim on it. Plain functions; the RepoQueue's operator
 * block gives them its storage, its mirror of the board, its loop and the board client.
 */
import type { RepoConfig, WorkspaceConfig } from "../config/workspace-config.ts";
import type { IssueState } from "../board/board-item.ts";
import { staleClaims } from "../board/gate.ts";
import type { BoardMirror } from "./board-mirror.ts";
import type { BoardPort } from "./board-port.ts";
import { CLAIM_OWNER_PREFIX, clearedClaim } from "./claim-item.ts";
import { explainItem, type Explanation } from "./explain-item.ts";
import type { MicroQueue } from "./micro-queue.ts";
import type { Runs } from "./runs.ts";
import type { SteerInput, SteerResult } from "./steering.ts";

export interface OperatorDeps {
  config: WorkspaceConfig;
  repo: RepoConfig;
  queue: MicroQueue;
  runs: Runs;
  /** The repo's board items as the events keep them: explain reads only this. */
  mirror: Pick<BoardMirror, "items" | "byNumber" | "applyOwnWrite" | "update">;
  /** States of dependencies in other repos, as the supervisor fanned them out. */
  dependencyStates: () => IssueState[];
  board: Pick<BoardPort, "getItem" | "releaseClaim" | "writeClaim" | "renewLease">;
  steer: (input: SteerInput) => SteerResult;
  paused: () => boolean;
  agents: () => number;
  transaction: (work: () => void) => void;
  now: () => number;
}

/** An answer that says what changed; refusals carry the HTTP meaning the routes give them. */
export type ActionResult =
  | { ok: true; item: string; changed: boolean; detail: string }
  | { ok: false; code: "not_found" | "conflict"; error: string };

const norm = (value: string | null | undefined): string => (value ?? "").trim().toLowerCase();

/** Why an item is or is not running, from the mirror: no GitHub call. */
export function explain(deps: OperatorDeps, number: number): Explanation | null {
  const { config, repo, queue, runs } = deps;
  return explainItem({
    config,
    repo,
    number,
    board: deps.mirror.items(),
    issueStates: deps.dependencyStates(),
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
    const item = deps.mirror.byNumber(number);
    if (item !== null) {
      const written = await deps.board.releaseClaim(item, { status: config.statuses.ready });
      const values = { ...clearedClaim(), status: config.statuses.ready };
      deps.mirror.applyOwnWrite(item.itemId, values, written.updatedAt, now);
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
 * Status still holds the lock, sets it back to Ready. The item is read from GitHub first (one
 * point), so a claim renewed a moment ago is never cleared. Dispatcher runs are stopped instead.
 */
export async function releaseStaleClaim(deps: OperatorDeps, number: number): Promise<ActionResult> {
  const { config, repo } = deps;
  const ref = `${repo.name}#${number}`;
  const mirrored = deps.mirror.byNumber(number);
  const item = mirrored === null ? null : await deps.board.getItem(mirrored.itemId);
  if (item === null) return { ok: false, code: "not_found", error: `${ref} is not on the board` };
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
  const written = await deps.board.releaseClaim(item, { status });
  const values = { ...clearedClaim(), ...(status === null ? {} : { status }) };
  deps.mirror.applyOwnWrite(item.itemId, values, written.updatedAt, deps.now());
  const cleared = [`Claim Owner ${owner}`, `Lease Expires ${item.fields.leaseExpires ?? "(none)"}`];
  if (item.fields.lockKey) cleared.push(`Lock Key ${item.fields.lockKey}`);
  const detail = `cleared ${cleared.join(", ")}${status ? `; Status ${item.fields.status} → ${status}` : ""}`;
  return { ok: true, item: ref, changed: true, detail };
}
