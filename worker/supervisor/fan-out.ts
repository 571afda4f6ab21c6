/**
 * What the supervisor does with a RepoQueue's outcome: updates its indexes, then hands each
 * completion (a blocker closed, reopened, or its Status moved) to every other repo whose items
 * wait on it, while the delivery that caused it is still being processed. Journals each
 * cross-repo dependency update in the meta queue. Plain functions over the supervisor's modules.
 */
import type { IssueState } from "../board/board-item.ts";
import { issueRefKey } from "../board/issue-refs.ts";
import type { RepoOutcome } from "../queue/repo-host.ts";
import type { Indexes } from "./indexes.ts";
import type { MetaQueue } from "./meta-queue.ts";

export interface FanOutDeps {
  indexes: Indexes;
  meta: MetaQueue;
  dependencyUpdate: (repo: string, states: IssueState[]) => Promise<void>;
  now: () => number;
}

/** Applies `outcome` of `repo` (null: an event of a repo outside the workspace). */
export async function absorbOutcome(
  deps: FanOutDeps,
  repo: string | null,
  outcome: Pick<RepoOutcome, "completions" | "index">,
): Promise<void> {
  if (repo !== null && outcome.index !== null) deps.indexes.apply(repo, outcome.index);
  const byRepo = new Map<string, { states: IssueState[]; numbers: Set<number>; from: string[] }>();
  for (const completion of outcome.completions) {
    const key = issueRefKey(completion);
    for (const waiter of deps.indexes.waitersOf(key)) {
      if (repo !== null && waiter.repo.toLowerCase() === repo.toLowerCase()) continue;
      const entry = byRepo.get(waiter.repo) ?? { states: [], numbers: new Set<number>(), from: [] };
      if (!entry.states.some((state) => issueRefKey(state) === key)) {
        entry.states.push(completion);
        entry.from.push(`${completion.repo}#${completion.number} ${describe(completion)}`);
      }
      entry.numbers.add(waiter.number);
      byRepo.set(waiter.repo, entry);
    }
  }
  await Promise.all(
    [...byRepo.entries()].map(async ([waiterRepo, entry]) => {
      await deps.dependencyUpdate(waiterRepo, entry.states);
      const waiting = [...entry.numbers].map((number) => `#${number}`).join(", ");
      deps.meta.record(
        "dependency_update",
        waiterRepo,
        entry.numbers.size === 1 ? ([...entry.numbers][0] ?? null) : null,
        `${entry.from.join("; ")}: ${waiting} re-gated`,
        deps.now(),
      );
    }),
  );
}

function describe(state: IssueState): string {
  if (state.state === "CLOSED")
    return `closed${state.stateReason ? ` (${state.stateReason.toLowerCase()})` : ""}`;
  return state.boardStatus ? `is open, Status ${state.boardStatus}` : "reopened";
}
