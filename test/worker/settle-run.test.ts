import { describe, expect, it } from "vitest";
import bundled from "../../workspace.config.json";
import { parseWorkspaceConfig } from "../../worker/config/workspace-config.ts";
import { settleRun } from "../../worker/queue/settle-run.ts";

const config = parseWorkspaceConfig({ ...bundled, dispatch: { maxAttempts: 3, retryBaseSeconds: 60 } });
const now = Date.parse("2026-05-01T12:00:00Z");
const context = { config, now, issueClosed: false, needsQa: false };

describe("settling a finished run", () => {
  it("marks a succeeded run's item done and moves the board to In Review", () => {
    expect(settleRun({ runId: "r1", attempt: 1 }, "succeeded", "2 commits", context)).toMatchObject({
      state: "done",
      boardStatus: "In Review",
    });
  });

  it("moves the board to QA Required when the area's risk calls for QA", () => {
    expect(
      settleRun({ runId: "r1", attempt: 1 }, "succeeded", "2 commits", { ...context, needsQa: true }),
    ).toMatchObject({ state: "done", verdict: "qa_required", boardStatus: "QA Required" });
  });

  it("requeues a failed run with exponential backoff and puts the board back to Ready", () => {
    const second = settleRun({ runId: "r2", attempt: 2 }, "failed", "exit 1", context);
    expect(second).toMatchObject({
      state: "queued",
      attempts: 2,
      notBefore: now + 120_000,
      boardStatus: "Ready",
    });
  });

  it("parks the item in Triage once it has failed maxAttempts times", () => {
    expect(settleRun({ runId: "r3", attempt: 3 }, "expired", "lease expired", context)).toMatchObject({
      state: "parked",
      boardStatus: "Triage",
      reason: "Parked after 3 failed attempts: lease expired",
    });
  });

  it("requeues at once, without using up an attempt, after a lock conflict found by the agent", () => {
    expect(settleRun({ runId: "r4", attempt: 2 }, "conflict", "Lock conflict", context)).toMatchObject({
      state: "queued",
      attempts: 1,
      notBefore: now,
    });
  });

  it("requeues at once, without using up an attempt, a run the daemon lost to its own restart", () => {
    // Even on the last attempt: an interrupted run is never a failure, so it never parks.
    expect(
      settleRun({ runId: "r6", attempt: 3 }, "interrupted", "the daemon restarted", context),
    ).toMatchObject({ state: "queued", attempts: 2, notBefore: now, boardStatus: "Ready" });
  });

  it("leaves the board's Status alone when the issue was closed", () => {
    expect(
      settleRun({ runId: "r5", attempt: 1 }, "stopped", "issue closed", { ...context, issueClosed: true }),
    ).toMatchObject({ state: "done", boardStatus: null });
  });
});
