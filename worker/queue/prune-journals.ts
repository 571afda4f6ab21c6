/**
 * Prunes a RepoQueue's journals by age and count (limits in worker/storage/limits.ts): agent
 * frames applied, deliveries applied, and finished runs. The RepoQueue calls it when its
 * agenda's pruning entry is due; live runs, queued items and the outbox are never pruned.
 */
import type { Sql } from "./sql.ts";
import { RETENTION } from "../storage/limits.ts";
import { pruneAppliedEvents } from "./applied-events.ts";
import type { Outbox } from "./outbox.ts";
import type { Runs } from "./runs.ts";

export interface RepoPruned {
  appliedFrames: number;
  appliedEvents: number;
  finishedRuns: number;
}

export function pruneRepoJournals(
  parts: { sql: Sql; runs: Runs; outbox: Outbox },
  now: number,
  transaction: (work: () => void) => void,
): RepoPruned {
  let pruned: RepoPruned = { appliedFrames: 0, appliedEvents: 0, finishedRuns: 0 };
  transaction(() => {
    pruned = {
      appliedFrames: parts.outbox.pruneApplied(now, RETENTION.appliedFrames),
      appliedEvents: pruneAppliedEvents(parts.sql, now, RETENTION.appliedEvents),
      finishedRuns: parts.runs.pruneFinished(now, RETENTION.finishedRuns),
    };
  });
  return pruned;
}
