/**
 * What in the repos' state needs a person, as notification causes: items parked after their
 * retries, and a GitHub budget under the configured floor. Pure; the supervisor runs it over
 * the RepoQueues' state after each reconciliation (so a cause is seen within one cron period
 * even where the event core does not call `notify` at once).
 */
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import type { RepoQueueState } from "../objects/repo-queue.ts";
import type { NotificationCause } from "./notifications.ts";

export function attentionCauses(
  config: WorkspaceConfig,
  repos: readonly (RepoQueueState & { name: string })[],
): NotificationCause[] {
  const causes: NotificationCause[] = [];
  for (const repo of repos) {
    for (const item of repo.items) {
      if (item.state !== "parked") continue;
      const lastRun = repo.runs.find((run) => run.number === item.number && run.state === "finished");
      causes.push({
        kind: "parked",
        repo: repo.name,
        number: item.number,
        title: item.title,
        reason: item.reason,
        runId: lastRun?.runId ?? null,
      });
    }
  }
  // Every repo shares one token's budget: the lowest figure any of them saw is the truth.
  const budgets = repos.flatMap((repo) =>
    repo.budget !== null && repo.budget.remaining !== null ? [repo.budget] : [],
  );
  const lowest = budgets.sort((a, b) => (a.remaining ?? 0) - (b.remaining ?? 0))[0];
  if (lowest !== undefined && (lowest.remaining ?? 0) < config.notifications.lowBudgetPoints) {
    causes.push({
      kind: "low_budget",
      remaining: lowest.remaining ?? 0,
      limit: lowest.limit,
      resetAt: lowest.resetAt,
    });
  }
  return causes;
}
