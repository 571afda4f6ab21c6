/**
 * Prunes a RepoQueue's journals by age and count (limits in worker/storage/limits.ts): agent
 * frames applied, deliveries applied, and finished runs. One call for the RepoQueue's agenda
 * to make on its pruning entry; live runs, queued items and the outbox are never pruned.
 */
import { RETENTION } from "../storage/limits.ts";
import { pruneAppliedEvents } from "./applied-events.ts";
import type { Outbox } from "./outbox.ts";
import type { Runs } from "./runs.ts";

/** How often the RepoQueue should prune (an agenda entry of kind "prune"). */
export const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000;

export interface RepoPruned {
  appliedFrames: number;
  appliedEvents: number;
  finishedRuns: number;
}

export function pruneRepoJournals(
  parts: { sql: SqlStorage; runs: Runs; outbox: Outbox },
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
