/**
 * What in the repos' state needs a person, as notification causes: items parked after their
 * retries, and a GitHub budget under the configured floor. Pure; the supervisor runs it over
 * the RepoQueues' state after each reconciliation (so a cause is seen within one cron period
 * even where the event core does not call `notify` at once).
 */
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import { combineBudgets, type Budget } from "../board/api-budget.ts";
import type { RepoQueueState } from "../queue/repo-state.ts";
import type { NotificationCause } from "./notifications.ts";

export function attentionCauses(
  config: WorkspaceConfig,
  repos: readonly (RepoQueueState & { name: string })[],
  supervisorBudget: Budget | null = null,
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
  // Every object shares one token's budget: the freshest observation of it is the truth.
  const budget = combineBudgets([supervisorBudget, ...repos.map((repo) => repo.budget)]);
  if (budget.remaining !== null && budget.remaining < config.notifications.lowBudgetPoints) {
    causes.push({
      kind: "low_budget",
      remaining: budget.remaining,
      limit: budget.limit,
      resetAt: budget.resetAt,
    });
  }
  return causes;
}
