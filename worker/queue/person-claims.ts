/**
 * A person's claim from the terminal (`wf claim`, `wf renew`, `wf unclaim`): the same gate as a
 * dispatch, then Status, Lock Key, Claim Owner and Lease Expires written in one request and
 * read back; the lease moved on; the person's own claim cleared. Such a claim binds the
 * dispatcher like any person's claim on the board. Used by the RepoQueue's operator block.
 */
import { COPILOT_CLAIM_OWNER } from "../board/agent-mode.ts";
import { BoardSchemaError } from "../board/board-errors.ts";
import type { BoardItem } from "../board/board-item.ts";
import { evaluateGate, isActive, isFinished } from "../board/gate.ts";
import { CLAIM_OWNER_PREFIX, clearedClaim } from "./claim-item.ts";
import type { ActionResult, OperatorDeps } from "./operator-actions.ts";

/** The claim as the board now shows it (what `wf` prints). */
export interface PersonClaim {
  claimOwner: string;
  lockKey: string | null;
  leaseExpires: string | null;
  status: string | null;
}

export type PersonClaimResult =
  | (Extract<ActionResult, { ok: true }> & { claim: PersonClaim | null })
  | Extract<ActionResult, { ok: false }>
  | { ok: false; code: "invalid"; error: string };

const norm = (value: string | null | undefined): string => (value ?? "").trim().toLowerCase();
const iso = (ms: number): string => new Date(ms).toISOString();

/** Why `owner` cannot be a person's Claim Owner, or null (the dispatcher's own names are taken). */
export function ownerRefusal(owner: string): string | null {
  const name = owner.trim();
  if (name === "") return "owner: expected the person's name";
  if (name.startsWith(CLAIM_OWNER_PREFIX) || norm(name) === COPILOT_CLAIM_OWNER)
    return `owner: "${name}" is the dispatcher's own Claim Owner, not a person's`;
  return null;
}

function found(deps: OperatorDeps, number: number): BoardItem | PersonClaimResult {
  const item = deps.mirror.byNumber(number);
  const ref = `${deps.repo.name}#${number}`;
  if (item === null) return { ok: false, code: "not_found", error: `${ref} is not on the board` };
  if (isFinished(item, deps.config))
    return {
      ok: false,
      code: "conflict",
      error: `${ref} is finished (${finishedWhy(item)}): nothing to claim`,
    };
  return item;
}

function finishedWhy(item: BoardItem): string {
  if (item.isArchived) return "archived";
  return item.state === "CLOSED" ? "its issue is closed" : `Status ${item.fields.status ?? ""}`;
}

/** The gate a dispatch runs, for an item in any Status a person may start from. */
function gate(deps: OperatorDeps, item: BoardItem) {
  const { config } = deps;
  const candidate = { ...item, fields: { ...item.fields, status: config.statuses.ready } };
  return evaluateGate({
    item: candidate,
    board: deps.mirror.items(),
    issueStates: deps.dependencyStates(),
    config,
    now: deps.now(),
  });
}

/** A board write refused for a value the board does not have (a Status option) is the caller's. */
async function written<T>(work: () => Promise<T>): Promise<T | PersonClaimResult> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BoardSchemaError) return { ok: false, code: "invalid", error: error.message };
    throw error;
  }
}

const isResult = (value: unknown): value is PersonClaimResult =>
  typeof value === "object" && value !== null && "ok" in value;

export async function claimForPerson(
  deps: OperatorDeps,
  number: number,
  owner: string,
  leaseSeconds: number,
): Promise<PersonClaimResult> {
  const { config, repo } = deps;
  const ref = `${repo.name}#${number}`;
  const item = found(deps, number);
  if (isResult(item)) return item;
  const live = deps.runs.liveFor(number);
  if (live !== null)
    return {
      ok: false,
      code: "conflict",
      error: `${ref} is being worked on as ${live.runId} by ${live.agentId}`,
    };
  const held = item.fields.claimOwner?.trim() ?? "";
  if (isActive(item, config, deps.now())) {
    if (norm(held) === norm(owner))
      return {
        ok: true,
        item: ref,
        changed: false,
        detail: `already claimed by ${held} until ${item.fields.leaseExpires ?? "?"}; \`wf renew\` moves the lease on`,
        claim: claimOf(item),
      };
    const who = held === "" ? `its Status ${item.fields.status ?? ""}` : `${held}'s claim`;
    return { ok: false, code: "conflict", error: `${ref} already holds its lock keys through ${who}` };
  }
  const verdict = gate(deps, item);
  if (verdict.kind !== "runnable") {
    const reason = "reason" in verdict ? verdict.reason : "The gate refused it.";
    return { ok: false, code: "conflict", error: reason };
  }
  const at = deps.now();
  const claim = {
    lockKey: verdict.lockKeyText,
    claimOwner: owner.trim(),
    leaseExpires: iso(at + leaseSeconds * 1000),
    lastHeartbeat: iso(at),
    status: config.statuses.inProgress,
  };
  const outcome = await written(() => deps.board.writeClaim(item, claim));
  if (isResult(outcome)) return outcome;
  if (outcome.kind === "lost") {
    // The read-back is what the board holds now: someone else's claim, which binds us too.
    const { lockKey, claimOwner, leaseExpires, lastHeartbeat, status } = outcome.board;
    deps.mirror.update(
      item.itemId,
      (current) => ({
        ...current,
        fields: { ...current.fields, lockKey, claimOwner, leaseExpires, lastHeartbeat, status },
      }),
      deps.now(),
    );
    return { ok: false, code: "conflict", error: outcome.reason };
  }
  deps.mirror.applyOwnWrite(item.itemId, claim, outcome.board.updatedAt ?? null, deps.now());
  return {
    ok: true,
    item: ref,
    changed: true,
    detail: `claimed by ${claim.claimOwner}: Status ${claim.status}, Lock Key ${claim.lockKey}, Lease Expires ${claim.leaseExpires}`,
    claim: {
      claimOwner: claim.claimOwner,
      lockKey: claim.lockKey,
      leaseExpires: claim.leaseExpires,
      status: claim.status,
    },
  };
}

/** The person's own claim, or why it is not theirs. */
function ownClaim(
  deps: OperatorDeps,
  number: number,
  owner: string,
  verb: string,
): BoardItem | PersonClaimResult {
  const ref = `${deps.repo.name}#${number}`;
  const item = found(deps, number);
  if (isResult(item)) return item;
  const held = item.fields.claimOwner?.trim() ?? "";
  if (held === "")
    return {
      ok: false,
      code: "conflict",
      error: `${ref} has no claim to ${verb}; \`wf claim ${ref}\` claims it`,
    };
  if (norm(held) !== norm(owner))
    return { ok: false, code: "conflict", error: `${ref} is claimed by ${held}, not ${owner.trim()}` };
  return item;
}

export async function renewPersonClaim(
  deps: OperatorDeps,
  number: number,
  owner: string,
  leaseSeconds: number,
): Promise<PersonClaimResult> {
  const ref = `${deps.repo.name}#${number}`;
  const item = ownClaim(deps, number, owner, "renew");
  if (isResult(item)) return item;
  // A claim that lapsed held nothing meanwhile: someone may have taken its keys since.
  if (!isActive(item, deps.config, deps.now())) {
    const verdict = gate(deps, item);
    if (verdict.kind === "conflict") return { ok: false, code: "conflict", error: verdict.reason };
  }
  const at = deps.now();
  const lease = { leaseExpires: iso(at + leaseSeconds * 1000), lastHeartbeat: iso(at) };
  const result = await written(() => deps.board.renewLease(item, lease));
  if (isResult(result)) return result;
  deps.mirror.applyOwnWrite(item.itemId, lease, result.updatedAt, at);
  return {
    ok: true,
    item: ref,
    changed: true,
    detail: `lease moved on from ${item.fields.leaseExpires ?? "(none)"} to ${lease.leaseExpires}`,
    claim: { ...claimOf(item), leaseExpires: lease.leaseExpires },
  };
}

/**
 * Clears the person's own claim: its lock fields, and Status to `status` when given, else back
 * to Ready when it still held the lock (so the next claimant, or the dispatcher, can take it).
 */
export async function unclaimPerson(
  deps: OperatorDeps,
  number: number,
  owner: string,
  status: string | null,
): Promise<PersonClaimResult> {
  const { config } = deps;
  const ref = `${deps.repo.name}#${number}`;
  const item = ownClaim(deps, number, owner, "release");
  if (isResult(item)) return item;
  const holdsByStatus = config.statuses.active.some((value) => norm(value) === norm(item.fields.status));
  const next = status ?? (holdsByStatus ? config.statuses.ready : null);
  const result = await written(() => deps.board.releaseClaim(item, { status: next }));
  if (isResult(result)) return result;
  const values = { ...clearedClaim(), ...(next === null ? {} : { status: next }) };
  deps.mirror.applyOwnWrite(item.itemId, values, result.updatedAt, deps.now());
  const cleared = [`Claim Owner ${item.fields.claimOwner ?? ""}`];
  if (item.fields.lockKey) cleared.push(`Lock Key ${item.fields.lockKey}`);
  if (item.fields.leaseExpires) cleared.push(`Lease Expires ${item.fields.leaseExpires}`);
  const moved = next === null ? "" : `; Status ${item.fields.status ?? "(empty)"} → ${next}`;
  return {
    ok: true,
    item: ref,
    changed: true,
    detail: `released: cleared ${cleared.join(", ")}${moved}`,
    claim: null,
  };
}

function claimOf(item: BoardItem): PersonClaim {
  return {
    claimOwner: item.fields.claimOwner ?? "",
    lockKey: item.fields.lockKey,
    leaseExpires: item.fields.leaseExpires,
    status: item.fields.status,
  };
}
