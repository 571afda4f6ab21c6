/** The gate's verdicts, run states and lock holders in words, and the CSS tone of each. */
import type { HeldLock, QueueItem } from "./api-schema.ts";

export type Tone = "good" | "wait" | "bad" | "quiet";

const VERDICTS: Record<string, { words: string; tone: Tone }> = {
  runnable: { words: "Runnable", tone: "good" },
  pending: { words: "Not gated yet", tone: "quiet" },
  waiting: { words: "Waiting on a dependency", tone: "wait" },
  conflict: { words: "Lock conflict", tone: "bad" },
  queued_behind: { words: "Waiting behind another item", tone: "wait" },
  not_ready: { words: "Not ready", tone: "quiet" },
  triage: { words: "Back to triage", tone: "wait" },
  active: { words: "Holds its claim", tone: "quiet" },
  backoff: { words: "Waiting out a retry backoff", tone: "wait" },
  qa_required: { words: "Waiting for QA", tone: "wait" },
  parked: { words: "Parked after its retries", tone: "bad" },
  requeued: { words: "Requeued", tone: "quiet" },
  finished: { words: "Finished", tone: "quiet" },
  done: { words: "Done", tone: "quiet" },
};

export function verdictWords(item: QueueItem, now: number): { words: string; tone: Tone } {
  if (item.state === "running") return { words: "Running", tone: "good" };
  if (item.state === "parked") return VERDICTS.parked ?? { words: "Parked", tone: "bad" };
  // A retry waiting out its backoff is not runnable yet, whatever the last gate said.
  if (item.state === "queued" && item.notBefore > now)
    return { words: "Waiting out a retry backoff", tone: "wait" };
  return VERDICTS[item.verdict] ?? { words: item.verdict.replaceAll("_", " "), tone: "quiet" };
}

export function holderWords(lock: HeldLock): string {
  if (lock.holder === "run") return "a run of the dispatcher";
  if (lock.holder === "person") return `a person's claim: ${lock.claimOwner ?? "someone"}`;
  return `its Status: ${lock.status ?? "active"}`;
}

const RUN_STATES: Record<string, string> = {
  claiming: "claiming on the board",
  dispatched: "dispatched, not started yet",
  running: "running",
  finished: "finished",
};

export const runStateWords = (state: string): string => RUN_STATES[state] ?? state;
