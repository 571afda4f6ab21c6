/**
 * The repo's merge facts for its PRs (repository id, allowed merge methods, auto-merge,
 * delete-on-merge, the base's merge queue, the tier labels' ids), read once (one point) and
 * kept in the RepoQueue's meta for a few hours, so opening a PR costs no read. A label the
 * Worker creates is added to the kept copy. Used by open-pull-request.ts.
 */
import type { RepoFacts, Tier } from "../board/pull-request-calls.ts";
import type { LoopDeps } from "../queue/repo-loop.ts";

const KEEP_MS = 6 * 60 * 60 * 1000;

type Deps = Pick<LoopDeps, "config" | "repo" | "meta" | "board" | "now">;

const key = (base: string): string => `pr_facts:${base}`;

export function labelName(deps: Pick<LoopDeps, "config">, tier: Tier): string {
  return `${deps.config.pullRequests.labelPrefix}${tier}`;
}

export async function repoFacts(
  deps: Deps,
  base: string,
  options: { fresh?: boolean } = {},
): Promise<RepoFacts> {
  const kept = deps.meta.get(key(base));
  if (kept !== null && options.fresh !== true) {
    // Written below from a RepoFacts in this same object.
    const parsed = JSON.parse(kept) as { at: number; facts: RepoFacts };
    if (deps.now() - parsed.at < KEEP_MS) return parsed.facts;
  }
  const facts = await deps.board.pullRequests.repoFacts(deps.repo.name, base, {
    low: labelName(deps, "low"),
    medium: labelName(deps, "medium"),
    high: labelName(deps, "high"),
  });
  deps.meta.set(key(base), JSON.stringify({ at: deps.now(), facts }));
  return facts;
}

/** A tier label the Worker just created: known from now on without a read. */
export function rememberLabel(deps: Deps, base: string, tier: Tier, id: string): void {
  const kept = deps.meta.get(key(base));
  if (kept === null) return;
  const parsed = JSON.parse(kept) as { at: number; facts: RepoFacts };
  parsed.facts.labels[tier] = id;
  deps.meta.set(key(base), JSON.stringify(parsed));
}

/** The merge method auto-merge uses: the configured one when the repo allows it, else the repo's first. */
export function mergeMethod(deps: Pick<LoopDeps, "config">, facts: RepoFacts): string | null {
  const wanted = deps.config.pullRequests.mergeMethod;
  if (facts.mergeMethods.includes(wanted)) return wanted;
  return facts.mergeMethods[0] ?? null;
}
