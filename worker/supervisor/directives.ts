/**
 * The operator's directives, as the supervisor carries them out: each is journaled in the
 * meta queue, then routed to exactly one RepoQueue — steering a run, pausing or resuming a
 * repo, a QA verdict, reordering the QA sequence — and stale claims reported by a repo are
 * escalated once each. Plain functions over the supervisor's modules.
 */
import type { RepoQueuePort } from "./supervisor-host.ts";
import type { StaleClaim } from "../board/gate.ts";
import type { QaVerdictResult } from "../queue/repo-qa.ts";
import type { SteerInput, SteerResult } from "../queue/steering.ts";
import type { MetaQueue } from "./meta-queue.ts";
import type { NotificationCause, NotifyOutcome } from "./notifications.ts";
import type { QaEntry, QaSequence } from "./qa-sequence.ts";

export interface DirectiveDeps {
  meta: MetaQueue;
  qa: QaSequence;
  repoQueue: (repo: string) => RepoQueuePort;
  now: () => number;
  /** Tells a person when one is needed (see notifications.ts); absent, nobody is told. */
  notify?: (cause: NotificationCause) => NotifyOutcome;
}

export async function steer(deps: DirectiveDeps, repo: string, input: SteerInput): Promise<SteerResult> {
  const result = await deps.repoQueue(repo).steer(input);
  // A repeated request changes nothing and is journaled once.
  if (result.ok && !result.duplicate) {
    const detail = `${input.command} to ${input.runId}: ${input.reason} (source ${input.sourceEventId})`;
    deps.meta.record("steer", repo, null, detail, deps.now());
  }
  return result;
}

export async function setPaused(deps: DirectiveDeps, repo: string, paused: boolean): Promise<void> {
  await deps.repoQueue(repo).setPaused(repo, paused);
  deps.meta.record(
    paused ? "pause" : "resume",
    repo,
    null,
    paused ? "dispatch paused" : "dispatch resumed",
    deps.now(),
  );
}

export async function qaVerdict(
  deps: DirectiveDeps,
  input: { repo: string; number: number; verdict: "pass" | "fail"; note: string | null },
): Promise<QaVerdictResult> {
  if (!deps.qa.has(input.repo, input.number)) {
    // The same verdict again (a retried request) is answered as done, not refused.
    const last = deps.meta.latest("qa_verdict", input.repo, input.number);
    const word = input.verdict === "pass" ? "QA passed" : "QA failed";
    if (last !== null && last.detail.startsWith(word)) return { ok: true, changed: false };
    return { ok: false, error: `${input.repo}#${input.number} is not in the QA sequence` };
  }
  const result = await deps.repoQueue(input.repo).qaVerdict(input.number, input.verdict, input.note);
  if (result.ok) {
    deps.qa.remove(input.repo, input.number);
    const detail = `QA ${input.verdict === "pass" ? "passed" : "failed"}${input.note ? `: ${input.note}` : ""}`;
    deps.meta.record("qa_verdict", input.repo, input.number, detail, deps.now());
  }
  return result;
}

export function moveQa(deps: DirectiveDeps, repo: string, number: number, index: number): boolean {
  const moved = deps.qa.move(repo, number, index);
  if (moved) deps.meta.record("qa_move", repo, number, `moved to position ${index}`, deps.now());
  return moved;
}

/** Records each stale claim once (per lease), so the operator is told until someone clears it. */
export function reportStaleClaims(deps: DirectiveDeps, repo: string, claims: readonly StaleClaim[]): void {
  for (const claim of claims) {
    if (claim.number === null) continue;
    const detail =
      claim.kind === "finished"
        ? `claim by ${claim.claimOwner} left on a finished item (it holds nothing); clear Claim Owner and Lock Key`
        : `claim by ${claim.claimOwner} expired ${claim.leaseExpires ?? "(no lease)"}; not released automatically`;
    if (!deps.meta.has("stale_claim", repo, claim.number, detail)) {
      deps.meta.record("stale_claim", repo, claim.number, detail, deps.now());
    }
    deps.notify?.({
      kind: "stale_claim",
      repo,
      number: claim.number,
      claimOwner: claim.claimOwner,
      leaseExpires: claim.leaseExpires,
    });
  }
}

/** A repo's waiting QA sessions join the sequence; each newcomer is a "QA waiting" notice. */
export function syncQa(deps: DirectiveDeps, repo: string, waiting: readonly Omit<QaEntry, "repo">[]): void {
  const before = new Set(deps.qa.list().map((entry) => `${entry.repo}#${entry.number}`));
  deps.qa.sync(repo, waiting, deps.now());
  const since = new Date(deps.now()).toISOString();
  for (const entry of waiting) {
    if (before.has(`${repo}#${entry.number}`)) continue;
    deps.notify?.({
      kind: "qa_waiting",
      repo,
      number: entry.number,
      title: entry.title,
      url: entry.url,
      since,
    });
  }
}
