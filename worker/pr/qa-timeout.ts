/**
 * QA that waits too long (seed: "QA escalations and timeout handling" in the meta queue): a
 * repo QA session waiting longer than `qa.timeoutMinutes` is escalated once — an entry in the
 * workspace meta queue, which the operator's dashboard and `wf` show — and its due time is an
 * agenda entry of the RepoQueue. Used by the repo loop; no GitHub call.
 */
import type { LoopDeps } from "../queue/repo-loop.ts";
import type { QaSession } from "../queue/qa-sessions.ts";

type Deps = Pick<LoopDeps, "config" | "qa" | "meta" | "now" | "journal" | "log">;

const mark = (session: QaSession): string => `qa_escalated:${session.number}:${session.requestedAt}`;
const dueAt = (deps: Pick<Deps, "config">, session: QaSession): number =>
  session.requestedAt + deps.config.qa.timeoutMinutes * 60_000;

/** When the next waiting QA session is due for escalation (null: none is). */
export function nextQaTimeout(deps: Deps): number | null {
  const due = deps.qa
    .waiting()
    .filter((session) => deps.meta.get(mark(session)) === null)
    .map((session) => dueAt(deps, session));
  return due.length === 0 ? null : Math.min(...due);
}

/** Escalates, once each, the QA sessions that have waited past the configured time. */
export async function escalateQaTimeouts(deps: Deps): Promise<number> {
  let escalated = 0;
  for (const session of deps.qa.waiting()) {
    if (deps.meta.get(mark(session)) !== null || dueAt(deps, session) > deps.now()) continue;
    const minutes = Math.round((deps.now() - session.requestedAt) / 60_000);
    const detail = `#${session.number} ${session.title} has waited ${minutes} min for QA (limit ${deps.config.qa.timeoutMinutes} min): a person's verdict is needed.`;
    await deps.journal("qa_timeout", session.number, detail);
    deps.meta.set(mark(session), String(deps.now()));
    deps.log("qa_escalated", { number: session.number, minutes });
    escalated += 1;
  }
  return escalated;
}
