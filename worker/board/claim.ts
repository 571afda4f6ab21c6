/**
 * A claim as the board carries it: the values a claim writes, the values a read-back finds,
 * and the decision between them. Projects v2 has no compare-and-set, so the read-back is
 * the arbiter. Pure; used by the board client's `writeClaim`.
 */
import type { FieldNames } from "../config/workspace-config.ts";

export type ClaimValues = {
  lockKey: string;
  claimOwner: string;
  leaseExpires: string;
  lastHeartbeat: string;
  /** Status to set with the claim (the configured in-progress value), if any. */
  status?: string;
};

/** The claim fields as the board shows them. */
export type BoardClaim = {
  lockKey: string | null;
  claimOwner: string | null;
  leaseExpires: string | null;
  lastHeartbeat: string | null;
  status: string | null;
  /** The item's `updatedAt` when it was read back (null when it was not found). */
  updatedAt?: string | null;
};

export type ClaimResult =
  { kind: "claimed"; board: BoardClaim } | { kind: "lost"; reason: string; board: BoardClaim };

/** [field name, text] pairs a claim writes, in one mutation. */
export function claimWrites(names: FieldNames, claim: ClaimValues): Array<[string, string]> {
  const writes: Array<[string, string]> = [
    [names.lockKey, claim.lockKey],
    [names.claimOwner, claim.claimOwner],
    [names.leaseExpires, claim.leaseExpires],
    [names.lastHeartbeat, claim.lastHeartbeat],
  ];
  if (claim.status !== undefined) writes.push([names.status, claim.status]);
  return writes;
}

const same = (shown: string | null, written: string): boolean => (shown ?? "").trim() === written.trim();

/** `claimed` when the board shows exactly our lock key, owner and lease; else `lost`. */
export function judgeClaim(board: BoardClaim, claim: ClaimValues): ClaimResult {
  const ours =
    same(board.lockKey, claim.lockKey) &&
    same(board.claimOwner, claim.claimOwner) &&
    same(board.leaseExpires, claim.leaseExpires);
  if (ours) return { kind: "claimed", board };
  return {
    kind: "lost",
    reason: `The board shows Claim Owner ${board.claimOwner ?? "(empty)"} and Lock Key ${board.lockKey ?? "(empty)"} instead of this claim.`,
    board,
  };
}
