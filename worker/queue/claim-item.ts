/**
 * Claims one runnable item: a run with the repo's next fence and a random id and secret,
 * recorded before the board write so the lock is held here while GitHub answers, the claim
 * fields written in one request and read back (a lost claim leaves the item queued with the
 * reason), then for a daemon the dispatch frame through the outbox (Copilot: claim-cloud.ts).
 */
import type { BoardItem, FieldRole } from "../board/board-item.ts";
import type { ServerMessage } from "../protocol/messages.ts";
import type { AgentInfo } from "./agents.ts";
import { dispatchArgs } from "./dispatch-args.ts";
import type { LoopDeps } from "./repo-loop.ts";
import type { Run } from "./runs.ts";
import { hashRunSecret, newRunId, newRunSecret } from "./run-secret.ts";
import { scopeOf } from "./scope-steering.ts";

/** What our claims write in Claim Owner, before the agent id; other owners are people. */
export const CLAIM_OWNER_PREFIX = "worker-factory/";

/** The claim fields as a release leaves them. */
export function clearedClaim(): Partial<Record<FieldRole, string | null>> {
  return { lockKey: null, claimOwner: null, leaseExpires: null, lastHeartbeat: null };
}

/**
 * The `Lease Expires` the board shows for a live run: it must stay in the future until the
 * next board renewal, so it covers the renewal interval plus a lease.
 */
export function boardLeaseExpiry(config: LoopDeps["config"], at: number): string {
  return new Date(at + (config.lease.boardRenewSeconds + config.lease.durationSeconds) * 1000).toISOString();
}

/** Who a claim is for: a daemon's agent, or GitHub's Copilot coding agent (claim-cloud.ts). */
export interface Claimant {
  agentId: string;
  claimOwner: string;
  /** The run's first lease in the RepoQueue (heartbeats, or Copilot's progress, renew it). */
  leaseMs: number;
  /** The verdict while the board write is in flight. */
  claiming: (fence: number) => string;
}

export type ClaimVerdict = {
  area: string;
  scope: "area" | "files";
  lockKeys: Parameters<typeof dispatchArgs>[2]["lockKeys"];
  lockKeyText: string;
  baseBranch?: string;
};

/**
 * Records a run for the claimant (with a fresh secret), writes the claim fields in one request
 * and reads them back. Returns the run and its secret, or null when the claim was lost (the
 * item stays queued with the reason, and the mirror takes what the read-back showed).
 */
export async function claimRun(
  deps: LoopDeps,
  item: BoardItem,
  claimant: Claimant,
  verdict: ClaimVerdict,
  attempt: number,
): Promise<{ run: Run; runSecret: string } | null> {
  const { config, repo, queue, runs, now } = deps;
  const number = item.number ?? 0;
  const at = now();
  const runSecret = newRunSecret();
  const secretHash = await hashRunSecret(runSecret);
  let run!: Run;
  deps.transaction(() => {
    const fence = runs.nextFence();
    run = runs.create({
      runId: newRunId(repo.name, number),
      secretHash,
      number,
      itemId: item.itemId,
      fence,
      agentId: claimant.agentId,
      attempt,
      lockKeys: verdict.lockKeyText,
      leaseExpires: at + claimant.leaseMs,
      lastHeartbeat: at,
      boardWrittenAt: at,
      startedAt: at,
    });
    queue.setState(number, "running", { attempts: attempt });
    queue.setVerdict(number, "claiming", claimant.claiming(fence));
  });
  const claim = {
    lockKey: verdict.lockKeyText,
    claimOwner: claimant.claimOwner,
    leaseExpires: boardLeaseExpiry(config, at),
    lastHeartbeat: new Date(at).toISOString(),
    status: config.statuses.inProgress,
  };
  const outcome = await deps.board.writeClaim(item, claim).catch((error: unknown) => ({
    kind: "lost" as const,
    reason: `board write failed: ${String(error)}`,
    board: null,
  }));
  if (outcome.kind === "lost") {
    deps.transaction(() => {
      runs.finish(run.runId, "lost_claim", outcome.reason, now());
      queue.setState(number, "queued", { attempts: attempt - 1 });
      queue.setVerdict(number, "conflict", outcome.reason);
      const shown = outcome.board;
      if (shown === null) {
        // No answer is not a refusal: the write may have landed (a gateway lost the answer).
        // Held as written until its release is written by a later pass (pending-releases.ts).
        // Recorded as our write, so a late echo of it after its release is known for what it is.
        deps.mirror.applyOwnWrite(item.itemId, claim, null, now());
        const release = { itemId: item.itemId, number, runId: run.runId, status: item.fields.status };
        deps.releases.add({ ...release, since: now(), keepLock: false });
      } else {
        // The read-back is what the board holds now: someone else's claim, which binds us.
        const { lockKey, claimOwner, leaseExpires, lastHeartbeat, status } = shown;
        deps.mirror.update(
          item.itemId,
          (current) => ({
            ...current,
            fields: { ...current.fields, lockKey, claimOwner, leaseExpires, lastHeartbeat, status },
          }),
          now(),
        );
      }
    });
    deps.log("claim_lost", { number, reason: outcome.reason });
    return null;
  }
  deps.mirror.applyOwnWrite(item.itemId, claim, outcome.board.updatedAt ?? null, now());
  deps.scopes.set(run.runId, scopeOf(item));
  return { run, runSecret };
}

export async function claimAndDispatch(
  deps: LoopDeps,
  item: BoardItem,
  agent: AgentInfo,
  verdict: ClaimVerdict,
  attempt: number,
  rework: Parameters<typeof dispatchArgs>[5] = null,
): Promise<boolean> {
  const { config, repo, queue, runs, outbox, now } = deps;
  const number = item.number ?? 0;
  const claimed = await claimRun(
    deps,
    item,
    {
      agentId: agent.agentId,
      claimOwner: `${CLAIM_OWNER_PREFIX}${agent.agentId}`,
      leaseMs: config.lease.durationSeconds * 1000,
      claiming: (fence) => `Claiming ${verdict.lockKeyText} for ${agent.agentId} (fence ${fence}).`,
    },
    verdict,
    attempt,
  );
  if (claimed === null) return false;
  const { run, runSecret } = claimed;
  const frame: ServerMessage & { id: string } = {
    type: "dispatch",
    id: `dispatch-${run.runId}`,
    runId: run.runId,
    fence: run.fence,
    runSecret,
    args: dispatchArgs(item, repo, verdict, attempt, deps.qa.contextFor(number), rework),
  };
  deps.transaction(() => {
    runs.setState(run.runId, "dispatched");
    outbox.add(agent.agentId, run.runId, frame, now());
    queue.setVerdict(
      number,
      "active",
      `Dispatched to ${agent.agentId} as ${run.runId} (fence ${run.fence}).`,
    );
  });
  deps.send(agent.agentId, JSON.stringify(frame));
  deps.log("dispatched", { number, runId: run.runId, fence: run.fence, agent: agent.agentId });
  return true;
}
