/**
 * GitHub never retries a failed delivery: the reconciliation lists the org hook's deliveries of
 * the last 3 days (REST, its own rate limit) and asks GitHub to redeliver those that never
 * reached the Worker, a bounded number at a time. Used by the supervisor's core.
 */
import type { BoardClient } from "../board/board-client.ts";
import { REDELIVERY_WINDOW_MS } from "../board/hook-deliveries.ts";
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import type { Deliveries } from "./deliveries.ts";
import type { MetaQueue } from "./meta-queue.ts";

/** Redeliveries asked for per reconciliation, to stay well inside GitHub's limits. */
const MAX_REDELIVERIES = 50;

export async function redeliverFailed(deps: {
  config: WorkspaceConfig;
  board: () => BoardClient;
  deliveries: Deliveries;
  meta: MetaQueue;
  now: () => number;
}): Promise<number> {
  const hookId = deps.config.reconcile.hookId;
  if (hookId === undefined) return 0;
  const webhooks = deps.board().webhooks;
  const failed = await webhooks.undelivered(hookId, deps.now() - REDELIVERY_WINDOW_MS);
  let count = 0;
  for (const delivery of failed.slice(0, MAX_REDELIVERIES)) {
    if (deps.deliveries.has(delivery.guid)) continue;
    await webhooks.redeliver(hookId, delivery.id);
    const detail = `asked GitHub to redeliver ${delivery.event}.${delivery.action ?? ""} ${delivery.guid} (last status ${delivery.status_code})`;
    deps.meta.record("redelivery", null, null, detail, deps.now());
    count += 1;
  }
  return count;
}
