/**
 * Reconciliation of a repo's mirror with the board, sized to the GitHub budget (DESIGN "The
 * GitHub API budget"): a full read of every item only at first start and then at a long
 * interval; otherwise the supervisor's light scan of the items not done (ids, `updatedAt`,
 * content state: about one point per 100), of which this repo reads in full only those that
 * moved, or that left the scan. Also reads, once, the dependencies the mirror cannot answer.
 * Plain module, used by the repo loop.
 */
import type { RepoConfig, WorkspaceConfig } from "../config/workspace-config.ts";
import type { BoardItem, IssueRef, IssueState } from "../board/board-item.ts";
import { dependencyRefs, isFinished } from "../board/gate.ts";
import { issueRefKey, sameRepo } from "../board/issue-refs.ts";
import type { ItemStamp } from "../board/board-client.ts";
import { completionOf, indexOf, type IndexDelta } from "./apply-event.ts";
import type { BoardMirror } from "./board-mirror.ts";
import type { BoardPort } from "./board-port.ts";
import type { DependencyStates } from "./dependency-states.ts";
import type { Meta } from "./meta.ts";

export type ReconcileKind = "full" | "scan" | "none";

export interface ReconcileDeps {
  config: WorkspaceConfig;
  repo: RepoConfig;
  mirror: BoardMirror;
  depStates: DependencyStates;
  board: Pick<BoardPort, "listItems" | "scanItems" | "getItems" | "getIssueStates">;
  meta: Meta;
  now: () => number;
}

export interface ReconcileResult {
  kind: ReconcileKind;
  /** Items read in full. */
  read: number;
  completions: IssueState[];
  index: IndexDelta | null;
  /** Whether anything the gate sees changed. */
  changed: boolean;
}

const NONE: ReconcileResult = { kind: "none", read: 0, completions: [], index: null, changed: false };

/** Whether this repo's full read is due: at first start, after the long interval, or asked for. */
export function reconcileDue(
  deps: Pick<ReconcileDeps, "config" | "meta" | "now">,
  request: { full?: boolean } = {},
): ReconcileKind {
  const fullAt = deps.meta.getNumber("full_read_at");
  if (request.full === true || fullAt === null) return "full";
  return deps.now() - fullAt >= deps.config.reconcile.fullReadHours * 3_600_000 ? "full" : "none";
}

export async function reconcileBoard(deps: ReconcileDeps, kind: ReconcileKind): Promise<ReconcileResult> {
  return kind === "full" ? fullRead(deps) : NONE;
}

/** Projects' filter for the items not in a done Status (`-status:Done`), for the light scan. */
export function notDoneFilter(config: WorkspaceConfig): string {
  const field = config.fields.status.trim().toLowerCase().replace(/\s+/g, "-");
  const values = config.statuses.done.map((value) => (/[\s,"]/.test(value) ? `"${value}"` : value));
  return `-${field}:${values.join(",")}`;
}

const mine = (repo: RepoConfig, items: readonly BoardItem[]): BoardItem[] =>
  items.filter((item) => sameRepo(item.repo, repo.name));

async function fullRead(deps: ReconcileDeps): Promise<ReconcileResult> {
  const { mirror, repo } = deps;
  const before = completionsByKey(mirror.items());
  const items = mine(repo, await deps.board.listItems({ query: `repo:${repo.name}` }));
  const now = deps.now();
  mirror.replaceAll(items, now);
  // Dependencies elsewhere are read again too, in case a fan-out was missed.
  const refs = outsideRefs(mirror, items);
  if (refs.length > 0) deps.depStates.upsert(await readStates(deps, refs), now);
  deps.meta.set("full_read_at", String(now));
  deps.meta.set("scan_at", String(now));
  return {
    kind: "full",
    read: items.length,
    completions: changedCompletions(before, items),
    index: indexOf(items, true),
    changed: true,
  };
}

/**
 * Applies the supervisor's light scan to this repo: `stamps` are the scan's entries for this
 * repo's items, `found` the items the supervisor had to read because no index knew them.
 * Reads in full, in one batch, the items that moved and those the mirror holds as not done
 * that the scan no longer returns (done now, or deleted).
 */
export async function applyScan(
  deps: ReconcileDeps,
  stamps: readonly ItemStamp[],
  found: readonly BoardItem[],
): Promise<ReconcileResult> {
  const { mirror, config, repo } = deps;
  const now = deps.now();
  const before = completionsByKey(mirror.items());
  for (const item of mine(repo, found)) mirror.upsert(item, now);
  const seen = new Set([...stamps.map((stamp) => stamp.itemId), ...found.map((item) => item.itemId)]);
  const moved = stamps.filter((stamp) => !isCurrent(mirror.get(stamp.itemId), stamp)).map((s) => s.itemId);
  const left = mirror
    .items()
    .filter((item) => !seen.has(item.itemId) && !isFinished(item, config))
    .map((item) => item.itemId);
  const wanted = [...moved, ...left];
  deps.meta.set("scan_at", String(now));
  if (wanted.length === 0 && found.length === 0) return { ...NONE, kind: "scan" };
  const read = wanted.length > 0 ? mine(repo, await deps.board.getItems(wanted)) : [];
  const readIds = new Set(read.map((item) => item.itemId));
  for (const item of read) mirror.upsert(item, now);
  const removed = left.filter((itemId) => !readIds.has(itemId));
  for (const itemId of removed) mirror.remove(itemId);
  const changed = [...mine(repo, found), ...read];
  return {
    kind: "scan",
    read: changed.length,
    completions: changedCompletions(before, changed),
    index: indexOf(changed, false, removed),
    changed: changed.length > 0 || removed.length > 0,
  };
}

/**
 * Reads the states of dependencies that neither the mirror nor earlier reads can answer;
 * after that, fan-out and events keep them. Returns how many were read.
 */
export async function ensureDependencyStates(deps: ReconcileDeps): Promise<number> {
  const missing = deps.depStates.missing(outsideRefs(deps.mirror, deps.mirror.items()));
  if (missing.length === 0) return 0;
  deps.depStates.upsert(await readStates(deps, missing), deps.now());
  return missing.length;
}

/** Issue states by ref; an issue GitHub does not know is kept as open, so it is not asked for again. */
async function readStates(deps: ReconcileDeps, refs: readonly IssueRef[]): Promise<IssueState[]> {
  const states = await deps.board.getIssueStates(refs);
  const known = new Set(states.map(issueRefKey));
  const unknown = refs
    .filter((ref) => !known.has(issueRefKey(ref)))
    .map((ref): IssueState => ({ ...ref, state: "OPEN", stateReason: "NOT_FOUND", boardStatus: null }));
  return [...states, ...unknown];
}

/** Dependency refs of these items that are not items of the mirror. */
function outsideRefs(mirror: BoardMirror, items: readonly BoardItem[]): IssueRef[] {
  const onMirror = new Set(
    mirror
      .items()
      .flatMap((item) =>
        item.repo !== null && item.number !== null
          ? [issueRefKey({ repo: item.repo, number: item.number })]
          : [],
      ),
  );
  const out = new Map<string, IssueRef>();
  for (const item of items) {
    for (const { ref } of dependencyRefs(item).refs) {
      const key = issueRefKey(ref);
      if (!onMirror.has(key)) out.set(key, ref);
    }
  }
  return [...out.values()];
}

function isCurrent(item: BoardItem | null, stamp: ItemStamp): boolean {
  if (item === null) return false;
  const state = item.contentType === "PullRequest" && item.merged ? "MERGED" : item.state;
  return (
    item.updatedAt === stamp.updatedAt &&
    item.isArchived === stamp.isArchived &&
    (stamp.state === null || state === stamp.state) &&
    (stamp.state !== "CLOSED" || (item.stateReason ?? null) === (stamp.stateReason ?? null))
  );
}

function completionsByKey(items: readonly BoardItem[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    const completion = completionOf(item);
    if (completion) out.set(issueRefKey(completion), JSON.stringify(completion));
  }
  return out;
}

function changedCompletions(before: Map<string, string>, items: readonly BoardItem[]): IssueState[] {
  return items.flatMap((item) => {
    const completion = completionOf(item);
    if (completion === null) return [];
    return before.get(issueRefKey(completion)) === JSON.stringify(completion) ? [] : [completion];
  });
}
