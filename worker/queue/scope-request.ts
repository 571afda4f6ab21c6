/**
 * An agent asks for files outside its lock (the seed's FAQ, `wf-scope request <path>...`):
 * paths the run already holds change nothing; the rest become file keys in the areas whose
 * directories they fall under, checked against every other active holder. Granted: the lock
 * widens, `Lock Key` and `Needed Files` are written on the board (one request) and the agent is
 * told; refused: the seed's conflict message, and the daemon stops and requeues the run.
 * The verdict goes through the outbox (resent until acknowledged). Used by agent-frames.ts.
 */
import { isActive, prepareBoard } from "../board/gate.ts";
import { globsOverlap } from "../board/globs.ts";
import {
  findKeyConflicts,
  formatLockKey,
  formatLockKeys,
  locksConflict,
  parseLockKeys,
  parseNeededFiles,
  type LockKey,
} from "../board/locks.ts";
import { sameRepo } from "../board/issue-refs.ts";
import type { ServerMessage } from "../protocol/messages.ts";
import type { LoopDeps } from "./repo-loop.ts";
import type { Run } from "./runs.ts";
import { scopeOf, type RunScopes } from "./scope-steering.ts";

export type ScopeVerdict = { granted: boolean; reason: string; lockKeys: string[] };

type ScopeReply = Extract<ServerMessage, { type: "scope_reply" }>;

export async function requestScope(
  deps: LoopDeps & { scopes: RunScopes },
  run: Run,
  request: { id: string; paths: readonly string[]; reason: string },
): Promise<ScopeVerdict> {
  const verdict = await decide(deps, run, request.paths);
  const reply: ScopeReply = {
    type: "scope_reply",
    id: `scope-reply-${request.id}`,
    requestId: request.id,
    runId: run.runId,
    granted: verdict.granted,
    reason: verdict.reason,
    lockKeys: verdict.lockKeys,
  };
  deps.outbox.add(run.agentId, run.runId, reply, deps.now());
  if (deps.agents().some((agent) => agent.agentId === run.agentId))
    deps.send(run.agentId, JSON.stringify(reply));
  deps.log("scope_request", {
    runId: run.runId,
    paths: request.paths,
    granted: verdict.granted,
    reason: verdict.reason,
  });
  return verdict;
}

async function decide(
  deps: LoopDeps & { scopes: RunScopes },
  run: Run,
  paths: readonly string[],
): Promise<ScopeVerdict> {
  const { config, repo, mirror } = deps;
  const item = mirror.get(run.itemId);
  const held = parseLockKeys(run.lockKeys, repo.name).keys;
  const refuse = (reason: string): ScopeVerdict => ({
    granted: false,
    reason,
    lockKeys: held.map(formatLockKey),
  });
  if (item === null) return refuse("The item is no longer on the board.");
  const wanted: LockKey[] = [];
  for (const path of parseNeededFiles(paths.join("\n"))) {
    const key: LockKey = { repo: repo.name, area: "", path };
    const area = repo.areas.find((candidate) =>
      candidate.paths.some((pattern) => globsOverlap(pattern, path)),
    );
    if (area === undefined) {
      const names = repo.areas.map((candidate) => candidate.name).join(", ");
      return refuse(
        `${path} is in none of ${repo.name}'s areas (${names}); ask a person to re-scope the item.`,
      );
    }
    key.area = area.name;
    if (!held.some((mine) => locksConflict(mine, key, repo))) wanted.push(key);
  }
  if (wanted.length === 0)
    return { granted: true, reason: "Already within the run's lock.", lockKeys: held.map(formatLockKey) };

  const board = mirror.items();
  const prepared = prepareBoard(board, config, deps.now());
  for (const { item: other, heldKeys } of prepared.active) {
    if (
      other.itemId === item.itemId ||
      !sameRepo(other.repo, item.repo) ||
      !isActive(other, config, deps.now())
    )
      continue;
    if (findKeyConflicts(wanted, heldKeys, config).length > 0)
      return refuse(`Lock conflict: Issue #${other.number ?? "?"} currently holds overlapping lock key(s).`);
  }
  const keys = [...held, ...wanted];
  const lockKey = formatLockKeys(keys);
  const neededFiles = [
    ...new Set([...parseNeededFiles(item.fields.neededFiles), ...wanted.map((key) => key.path ?? "")]),
  ]
    .filter((path) => path !== "")
    .join(", ");
  const written = await deps.board.updateFields("widen lock", item, { lockKey, neededFiles });
  deps.runs.setLockKeys(run.runId, lockKey);
  const updated = deps.mirror.applyOwnWrite(
    item.itemId,
    { lockKey, neededFiles },
    written.updatedAt,
    deps.now(),
  );
  // Our own widening is not a person's change of scope: the run goes on without a replan.
  if (updated !== null) deps.scopes.set(run.runId, scopeOf(updated));
  return {
    granted: true,
    reason: `Granted: the run now holds ${lockKey}.`,
    lockKeys: keys.map(formatLockKey),
  };
}
