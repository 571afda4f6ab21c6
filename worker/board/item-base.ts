/**
 * The branch an item's work starts from and its pull request goes into: the repo's base, or
 * the branch the item names — its `Base Branch` field, else a `Base branch: feature/x` line in
 * the issue's description (seed: "subfeature branches from `feature/*`, not `main`"). A named
 * branch must match `pullRequests.baseBranches`. Pure; the gate and the daemon's re-check use it.
 */
import type { RepoConfig, WorkspaceConfig } from "../config/workspace-config.ts";
import type { BoardItem } from "./board-item.ts";
import { globMatches } from "./globs.ts";

export type ItemBase = { ok: true; base: string; named: boolean } | { ok: false; reason: string };

const BODY_LINE = /^[ \t]*(?:[-*][ \t]+)?\*{0,2}base[ \t]+branch\*{0,2}[ \t]*:[ \t]*`?([^\s`]+)`?[ \t]*$/im;

/** The base named on the board or in the issue, trimmed; null when none is. */
export function namedBase(item: Pick<BoardItem, "fields" | "body">): string | null {
  const field = (item.fields.baseBranch ?? "").trim();
  if (field !== "") return field;
  const line = BODY_LINE.exec(item.body ?? "");
  return line?.[1]?.trim() || null;
}

export function itemBase(
  item: Pick<BoardItem, "fields" | "body">,
  repo: RepoConfig,
  config: WorkspaceConfig,
): ItemBase {
  const named = namedBase(item);
  if (named === null || named === repo.baseBranch) return { ok: true, base: repo.baseBranch, named: false };
  const allowed = config.pullRequests.baseBranches;
  if (
    !allowed.some((pattern) => globMatches(pattern, named)) ||
    named.startsWith("-") ||
    named.includes("..")
  )
    return {
      ok: false,
      reason: `Base branch ${named} is neither ${repo.baseBranch} nor one of ${allowed.join(", ")}; fix the item's Base Branch.`,
    };
  return { ok: true, base: named, named: true };
}
