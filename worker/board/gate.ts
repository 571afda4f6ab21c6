/**
 * The pre-dispatch gate: a pure function of one candidate item, the board snapshot, the
 * resolved states of dependencies that are not on the board, the workspace config and the
 * time. The RepoQueue calls it before claiming; the daemon calls it again before writing code.
 */
import type { LockScope, WorkspaceConfig } from "../config/workspace-config.ts";
import { findRepo } from "../config/workspace-config.ts";
import type { BoardItem, IssueRef, IssueState } from "./board-item.ts";
import { issueRefKey, parseIssueRefs, sameRepo } from "./issue-refs.ts";
import { itemBase } from "./item-base.ts";
import type { KeyConflict, LockKey } from "./locks.ts";
import { findKeyConflicts, formatLockKeys, heldLocks, requestedLocks } from "./locks.ts";

export type ItemRef = { itemId: string; repo: string | null; number: number | null };

export type DependencyState = "complete" | "open" | "unknown";
export type Dependency = { ref: IssueRef; source: "depends_on" | "blocked_by"; state: DependencyState };

export type LockHolder = ItemRef & { heldKeys: LockKey[]; conflicts: KeyConflict[] };

export type NotReadyCode =
  "no_repo" | "unconfigured_repo" | "pull_request" | "archived" | "closed" | "status";

export type GateVerdict =
  | {
      kind: "runnable";
      area: string;
      scope: LockScope;
      lockKeys: LockKey[];
      lockKeyText: string;
      /** The branch the work starts from and its PR goes into. */
      baseBranch: string;
    }
  | { kind: "triage"; reason: string }
  | { kind: "waiting"; reason: string; open: Dependency[]; invalid: string[] }
  | { kind: "conflict"; reason: string; holder: LockHolder; holders: LockHolder[]; lockKeys: LockKey[] }
  | { kind: "queued_behind"; reason: string; holder: LockHolder; lockKeys: LockKey[] }
  | { kind: "not_ready"; code: NotReadyCode; reason: string }
  | { kind: "active"; reason: string; heldKeys: LockKey[] };

export type GateInput = {
  item: BoardItem;
  /** Every item of the board (the candidate may be among them). */
  board: readonly BoardItem[];
  /** States of dependency issues fetched because they are not on the board. */
  issueStates?: readonly IssueState[];
  config: WorkspaceConfig;
  now: Date | number;
  /** `prepareBoard(board, config, now)`, computed once for many candidates of one pass. */
  prepared?: PreparedBoard;
};

/**
 * What every candidate of one pass needs from the board: an index, the active holders, and
 * the items ahead in line that may run but have not been claimed yet (no agent, paused): a
 * later item whose keys overlap theirs waits behind them, so two overlapping items are never
 * both shown runnable.
 */
export type PreparedBoard = {
  index: Map<string, BoardItem>;
  active: Array<{ item: BoardItem; heldKeys: LockKey[] }>;
  ahead: Array<{ item: BoardItem; heldKeys: LockKey[] }>;
};

export type StaleClaim = ItemRef & {
  claimOwner: string;
  leaseExpires: string | null;
  lockKey: string | null;
  /** The item still holds its keys through an active Status. */
  stillActive: boolean;
  /**
   * `expired`: the lease passed while the item is not done. `finished`: the item is done or
   * its issue closed, and the claim fields were left filled in (it holds nothing).
   */
  kind: "expired" | "finished";
};

const time = (now: Date | number): number => (typeof now === "number" ? now : now.getTime());
const norm = (value: string | null): string => (value ?? "").trim().toLowerCase();
const inList = (value: string | null, list: readonly string[]): boolean =>
  value !== null && list.some((entry) => norm(entry) === norm(value));

function hasLiveLease(item: BoardItem, now: number): boolean {
  if (norm(item.fields.claimOwner) === "") return false;
  const expires = Date.parse(item.fields.leaseExpires ?? "");
  return Number.isFinite(expires) && expires > now;
}

/** The item is finished: its Status is a done value, or its issue is closed, or it is archived. */
export function isFinished(item: BoardItem, config: WorkspaceConfig): boolean {
  return item.isArchived || item.state === "CLOSED" || inList(item.fields.status, config.statuses.done);
}

/**
 * An item holds its lock keys while its Status is an active value or a claim's lease runs.
 * Finished items hold nothing, whatever their claim fields say: closing an issue or moving
 * it to a done Status releases its locks.
 */
export function isActive(item: BoardItem, config: WorkspaceConfig, now: Date | number): boolean {
  if (isFinished(item, config)) return false;
  return inList(item.fields.status, config.statuses.active) || hasLiveLease(item, time(now));
}

/** `Depends On` plus GitHub's `blockedBy`, with the tokens that are not references. */
export function dependencyRefs(item: BoardItem): {
  refs: Array<Omit<Dependency, "state">>;
  invalid: string[];
} {
  const parsed = parseIssueRefs(item.fields.dependsOn, item.repo);
  const seen = new Set<string>();
  const self =
    item.repo !== null && item.number !== null ? issueRefKey({ repo: item.repo, number: item.number }) : "";
  const refs: Array<Omit<Dependency, "state">> = [];
  const add = (ref: IssueRef, source: Dependency["source"]): void => {
    const key = issueRefKey(ref);
    if (key === self || seen.has(key)) return;
    seen.add(key);
    refs.push({ ref: { repo: ref.repo, number: ref.number }, source });
  };
  parsed.refs.forEach((ref) => add(ref, "depends_on"));
  item.blockedBy.forEach((ref) => add(ref, "blocked_by"));
  return { refs, invalid: parsed.invalid };
}

function boardIndex(board: readonly BoardItem[]): Map<string, BoardItem> {
  const index = new Map<string, BoardItem>();
  for (const entry of board) {
    if (entry.repo !== null && entry.number !== null)
      index.set(issueRefKey({ repo: entry.repo, number: entry.number }), entry);
  }
  return index;
}

/** Dependency refs of these items that are neither on the board nor carry their own state. */
export function unresolvedDependencyRefs(
  items: readonly BoardItem[],
  board: readonly BoardItem[],
): IssueRef[] {
  const onBoard = boardIndex(board);
  const out = new Map<string, IssueRef>();
  for (const item of items) {
    const known = new Set(item.blockedBy.map(issueRefKey));
    for (const { ref } of dependencyRefs(item).refs) {
      const key = issueRefKey(ref);
      if (!onBoard.has(key) && !known.has(key)) out.set(key, ref);
    }
  }
  return [...out.values()];
}

const closedAsCompleted = (state: Pick<IssueState, "state" | "stateReason">): boolean =>
  state.state === "CLOSED" && (state.stateReason === null || state.stateReason.toUpperCase() === "COMPLETED");

export function dependencyState(
  ref: IssueRef,
  onBoard: Map<string, BoardItem>,
  known: Map<string, IssueState>,
  config: WorkspaceConfig,
): DependencyState {
  const key = issueRefKey(ref);
  const entry = onBoard.get(key);
  if (entry !== undefined) {
    if (inList(entry.fields.status, config.statuses.done)) return "complete";
    const finished =
      entry.contentType === "PullRequest"
        ? entry.merged
        : entry.state !== null && closedAsCompleted({ state: entry.state, stateReason: entry.stateReason });
    if (finished) return "complete";
  }
  const state = known.get(key);
  if (state !== undefined) {
    return closedAsCompleted(state) || inList(state.boardStatus ?? null, config.statuses.done)
      ? "complete"
      : "open";
  }
  return entry === undefined ? "unknown" : "open";
}

function notReady(item: BoardItem, config: WorkspaceConfig): GateVerdict | null {
  const fail = (code: NotReadyCode, reason: string): GateVerdict => ({ kind: "not_ready", code, reason });
  if (item.repo === null || item.contentType === "DraftIssue" || item.contentType === "Redacted") {
    return fail("no_repo", "A draft or redacted item has no repo to run in.");
  }
  if (findRepo(config, item.repo) === undefined)
    return fail("unconfigured_repo", `Repo ${item.repo} is not configured.`);
  if (item.contentType === "PullRequest") return fail("pull_request", "Pull requests are not dispatched.");
  if (item.isArchived) return fail("archived", "The item is archived.");
  if (item.state === "CLOSED") return fail("closed", "The issue is closed.");
  return null;
}

/** Indexes the board and works out, once, which items are active and the keys they hold. */
export function prepareBoard(
  board: readonly BoardItem[],
  config: WorkspaceConfig,
  now: Date | number,
): PreparedBoard {
  const at = time(now);
  return {
    index: boardIndex(board),
    active: board
      .filter((item) => isActive(item, config, at))
      .map((item) => ({ item, heldKeys: heldLocks(item, config) })),
    ahead: [],
  };
}

/** Records that `item` is ahead in line holding `keys` (runnable, not yet claimed). */
export function reserveAhead(prepared: PreparedBoard, item: BoardItem, keys: readonly LockKey[]): void {
  prepared.ahead.push({ item, heldKeys: [...keys] });
}

function holdersIn(
  entries: PreparedBoard["active"],
  input: GateInput,
  requested: readonly LockKey[],
): LockHolder[] {
  const { item, config } = input;
  const holders: LockHolder[] = [];
  for (const { item: other, heldKeys } of entries) {
    if (other.itemId === item.itemId || (other.contentId !== null && other.contentId === item.contentId))
      continue;
    if (!sameRepo(other.repo, item.repo)) continue;
    const conflicts = findKeyConflicts(requested, heldKeys, config);
    if (conflicts.length > 0)
      holders.push({ itemId: other.itemId, repo: other.repo, number: other.number, heldKeys, conflicts });
  }
  return holders;
}

/** Decides whether `item` may be claimed now, and if so which keys the claim writes. */
export function evaluateGate(input: GateInput): GateVerdict {
  const { item, config } = input;
  const now = time(input.now);
  const refused = notReady(item, config);
  if (refused !== null) return refused;
  if (isActive(item, config, now)) {
    return { kind: "active", reason: "The item already holds its claim.", heldKeys: heldLocks(item, config) };
  }
  if (!inList(item.fields.status, [config.statuses.ready])) {
    return {
      kind: "not_ready",
      code: "status",
      reason: `Status is ${item.fields.status ?? "empty"}, not ${config.statuses.ready}.`,
    };
  }
  const repo = findRepo(config, item.repo ?? "");
  const requested = requestedLocks(item, repo);
  if (!requested.ok) return { kind: "triage", reason: requested.reason };
  const base = repo === undefined ? null : itemBase(item, repo, config);
  if (base !== null && !base.ok) return { kind: "triage", reason: base.reason };

  const prepared = input.prepared ?? prepareBoard(input.board, config, now);
  const onBoard = prepared.index;
  const known = new Map<string, IssueState>();
  for (const state of [...item.blockedBy, ...(input.issueStates ?? [])]) known.set(issueRefKey(state), state);
  const { refs, invalid } = dependencyRefs(item);
  const open = refs
    .map((dep): Dependency => ({ ...dep, state: dependencyState(dep.ref, onBoard, known, config) }))
    .filter((dep) => dep.state !== "complete");
  if (open.length > 0 || invalid.length > 0) {
    const names = [
      ...open.map((dep) => `${dep.ref.repo}#${dep.ref.number}`),
      ...invalid.map((token) => `"${token}"`),
    ];
    return { kind: "waiting", reason: `Waiting on dependencies: ${names.join(", ")}.`, open, invalid };
  }

  const holders = holdersIn(prepared.active, input, requested.keys);
  const holder = holders[0];
  if (holder !== undefined) {
    return {
      kind: "conflict",
      reason: `Lock conflict: Issue #${holder.number ?? "?"} currently holds overlapping lock key(s).`,
      holder,
      holders,
      lockKeys: requested.keys,
    };
  }
  const ahead = holdersIn(prepared.ahead, input, requested.keys);
  const first = ahead[0];
  if (first !== undefined) {
    return {
      kind: "queued_behind",
      reason: `Waiting behind Issue #${first.number ?? "?"}, which is ahead in line (priority, then age) for overlapping lock key(s).`,
      holder: first,
      lockKeys: requested.keys,
    };
  }
  return {
    kind: "runnable",
    area: requested.area.name,
    scope: requested.scope,
    lockKeys: requested.keys,
    lockKeyText: formatLockKeys(requested.keys),
    baseBranch: base?.ok === true ? base.base : (repo?.baseBranch ?? "main"),
  };
}

/**
 * Claims by someone else that need a person: a lease that passed on an item not done
 * (`expired`), or claim fields left filled in on a finished item (`finished`, which holds
 * nothing). They are not released behind the claimant's back; the operator is told until
 * someone clears them.
 */
export function staleClaims(
  board: readonly BoardItem[],
  config: WorkspaceConfig,
  now: Date | number,
  isOwnClaim: (claimOwner: string) => boolean,
): StaleClaim[] {
  const at = time(now);
  return board.flatMap((item): StaleClaim[] => {
    const owner = item.fields.claimOwner?.trim() ?? "";
    if (owner === "" || isOwnClaim(owner)) return [];
    const finished = isFinished(item, config);
    if (!finished && hasLiveLease(item, at)) return [];
    if (finished && item.isArchived) return [];
    return [
      {
        itemId: item.itemId,
        repo: item.repo,
        number: item.number,
        claimOwner: owner,
        leaseExpires: item.fields.leaseExpires,
        lockKey: item.fields.lockKey,
        stillActive: isActive(item, config, at),
        kind: finished ? "finished" : "expired",
      },
    ];
  });
}

/** The dispatcher's own claim fields left on finished items: the repo loop clears them. */
export function ownLeftovers(
  board: readonly BoardItem[],
  config: WorkspaceConfig,
  isOwnClaim: (claimOwner: string) => boolean,
): BoardItem[] {
  return board.filter((item) => {
    const owner = item.fields.claimOwner?.trim() ?? "";
    return owner !== "" && isOwnClaim(owner) && isFinished(item, config) && !item.isArchived;
  });
}
