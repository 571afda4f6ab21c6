/**
 * The repo side of QA: mirror the board's QA items into the repo's QA sessions and tell the
 * supervisor when the waiting set changes; apply the operator's verdict. An item whose PR is
 * open keeps its lock (pass: review, fail: a rework run on the same branch and PR, with the
 * note in its prompt); one without goes to review, or back to Ready with the note.
 * Used by the repo loop.
 */
import type { BoardItem } from "../board/board-item.ts";
import type { LoopDeps } from "./repo-loop.ts";
import type { QaSession } from "./qa-sessions.ts";
import { clearedClaim } from "./claim-item.ts";
import { reviewQaVerdict } from "../pr/land-pull-request.ts";

/** `changed: false`: the same verdict was already recorded (a repeated request). */
export type QaVerdictResult = { ok: true; changed?: boolean } | { ok: false; error: string };

const norm = (value: string | null | undefined): string => (value ?? "").trim().toLowerCase();

/** Syncs QA sessions with the repo's board items; reports to the supervisor if needed. */
export async function syncQa(deps: LoopDeps, mine: readonly BoardItem[], force: boolean): Promise<void> {
  const { config, qa, now } = deps;
  const inQa = mine
    .filter(
      (item) =>
        norm(item.fields.status) === norm(config.statuses.qaRequired) &&
        item.state !== "CLOSED" &&
        !item.isArchived,
    )
    .map((item) => ({ number: item.number ?? 0, title: item.title, url: item.url }));
  let changed = false;
  deps.transaction(() => {
    changed = qa.sync(inQa, now());
  });
  if (changed || force) await deps.reportQa(qa.waiting());
}

export async function decideQa(
  deps: LoopDeps,
  number: number,
  verdict: "pass" | "fail",
  note: string | null,
): Promise<QaVerdictResult> {
  const { config, qa, queue, mirror, now } = deps;
  const session: QaSession | null = qa.get(number);
  if (session?.state !== "waiting") return { ok: false, error: `#${number} is not waiting for QA` };
  const item = mirror.byNumber(number);
  if (!item) return { ok: false, error: `#${number} is not on the board` };
  const review = deps.reviews.live(number);
  if (review !== null && review.state === "open") {
    // Its PR is open: the item keeps its lock (pass: review; fail: a rework on the same PR).
    await reviewQaVerdict(deps, review, verdict, note);
    deps.transaction(() => qa.decide(number, verdict === "pass" ? "passed" : "failed", note, now()));
    await deps.reportQa(qa.waiting());
    return { ok: true };
  }
  const status = verdict === "pass" ? config.statuses.review : config.statuses.ready;
  const written = await deps.board.releaseClaim(item, { status });
  mirror.applyOwnWrite(item.itemId, { ...clearedClaim(), status }, written.updatedAt, now());
  deps.transaction(() => {
    qa.decide(number, verdict === "pass" ? "passed" : "failed", note, now());
    if (verdict === "fail") {
      queue.setState(number, "queued", { notBefore: 0 });
      queue.setVerdict(number, "requeued", `QA failed${note ? `: ${note}` : ""}.`);
    } else {
      queue.setVerdict(number, "finished", `QA passed${note ? `: ${note}` : ""}.`);
    }
  });
  await deps.reportQa(qa.waiting());
  return { ok: true };
}
