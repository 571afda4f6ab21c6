/**
 * Prunes the WorkspaceSupervisor's journals by age and count (limits in
 * worker/storage/limits.ts): deliveries, the inbox of events not yet routed, and the meta
 * queue. An event given up from the inbox leaves its delivery marked failed, with why.
 * Called from the supervisor's alarm.
 */
import { RETENTION } from "../storage/limits.ts";
import type { Deliveries } from "./deliveries.ts";
import type { Inbox } from "./inbox.ts";
import type { MetaQueue } from "./meta-queue.ts";

export interface SupervisorPruned {
  deliveries: number;
  inbox: number;
  metaQueue: number;
}

export function pruneSupervisorJournals(
  journals: { deliveries: Deliveries; inbox: Inbox; meta: MetaQueue },
  now: number,
  transaction: (work: () => void) => void,
): SupervisorPruned {
  let pruned: SupervisorPruned = { deliveries: 0, inbox: 0, metaQueue: 0 };
  transaction(() => {
    const dropped = journals.inbox.prune(now, RETENTION.inbox);
    for (const id of dropped) {
      journals.deliveries.setOutcome(
        id,
        "failed",
        null,
        "not routed within the inbox's retention; reconciliation reads the whole board instead",
      );
    }
    pruned = {
      deliveries: journals.deliveries.prune(now, RETENTION.deliveries),
      inbox: dropped.length,
      metaQueue: journals.meta.prune(now, RETENTION.metaQueue),
    };
  });
  return pruned;
}
