/**
 * Builds the dispatch arguments a local agent receives from an item's board snapshot and
 * its gate verdict: what the prompt file is made from. Pure.
 */
import type { RepoConfig } from "../config/workspace-config.ts";
import type { BoardItem } from "../board/board-item.ts";
import { dependencyRefs } from "../board/gate.ts";
import { findArea, formatLockKey, parseNeededFiles, type LockKey } from "../board/locks.ts";
import type { DispatchArgs } from "../protocol/messages.ts";

export function dispatchArgs(
  item: BoardItem,
  repo: RepoConfig,
  verdict: { area: string; scope: "area" | "files"; lockKeys: readonly LockKey[]; baseBranch?: string },
  attempt: number,
  context: readonly string[],
  rework: { branch: string; pullRequest: { number: number; url: string } | null } | null = null,
): DispatchArgs {
  const area = findArea(repo, verdict.area);
  return {
    repo: repo.name,
    itemId: item.itemId,
    issueNumber: item.number ?? 0,
    title: item.title,
    url: item.url ?? `https://github.com/${repo.name}/issues/${item.number ?? ""}`,
    body: item.body,
    area: verdict.area,
    lockScope: verdict.scope,
    lockKeys: verdict.lockKeys.map(formatLockKey),
    neededFiles: parseNeededFiles(item.fields.neededFiles),
    dependsOn: dependencyRefs(item).refs.map(({ ref }) => `${ref.repo}#${ref.number}`),
    acceptance: acceptanceChecks(item.body),
    links: item.url ? [item.url] : [],
    baseBranch: verdict.baseBranch ?? repo.baseBranch,
    risk: area?.risk ?? "medium",
    agentMode: item.fields.agentMode,
    attempt,
    context: [...context],
    branch: rework?.branch ?? null,
    pullRequest: rework?.pullRequest ?? null,
  };
}

/** Task-list lines (`- [ ] ...`) under the issue body are its acceptance checks. */
function acceptanceChecks(body: string): string[] {
  return [...body.matchAll(/^\s*[-*]\s+\[[ xX]\]\s+(.+)$/gm)]
    .map((match) => (match[1] ?? "").trim())
    .filter(Boolean);
}
