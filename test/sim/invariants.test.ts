/**
 * The invariant checker fails when it should: hand-made event logs with a known violation
 * each (two holders of overlapping keys, a stale fence acted on, uncommitted work deleted, a
 * runnable item left behind, no final state), and clean logs that must pass.
 */
import { describe, expect, it } from "vitest";
import type { LogEntry } from "./event-log.ts";
import { checkInvariants } from "./invariants.ts";
import { simConfig } from "./sim-config.ts";

const config = simConfig();
const REPO = "sim-org/alpha";
const quiet: LogEntry[] = [{ t: 99, kind: "final_agent", agent: "a1", liveRuns: 0 }];

const working = (t: number, runId: string, keys: string, repo = REPO): LogEntry => ({
  t,
  kind: "agent_working",
  agent: "a1",
  runId,
  fence: 1,
  repo,
  keys,
});
const finished = (t: number, runId: string): LogEntry => ({ t, kind: "agent_finished", agent: "a1", runId });
const final = (verdict: string): LogEntry => ({
  t: 100,
  kind: "final_item",
  repo: REPO,
  number: 4,
  status: "Ready",
  claimOwner: null,
  verdict,
  queueState: "queued",
});
const kinds = (log: LogEntry[]) => checkInvariants(log, config).map((violation) => violation.invariant);

describe("the fault simulation's invariant checker", () => {
  it("passes a log whose holders never overlap", () => {
    const log = [
      working(1, "r1", "api"),
      working(2, "r2", "web"),
      working(2, "r3", "api", "sim-org/beta"),
      finished(3, "r1"),
      working(4, "r4", "api"),
      ...quiet,
      final("not_ready"),
    ];
    expect(checkInvariants(log, config)).toEqual([]);
  });

  it("reports two runs holding overlapping keys at one instant", () => {
    const log = [working(1, "r1", "api"), working(2, "r2", "api:api/a.ts"), ...quiet, final("not_ready")];
    const violations = checkInvariants(log, config);
    expect(violations.map((v) => v.invariant)).toEqual(["double_holder"]);
    expect(violations[0]?.message).toContain("run r2");
  });

  it("reports a run overlapping a person's IDE claim", () => {
    const claim: LogEntry = {
      t: 1,
      kind: "person_claim",
      actor: "alice",
      item: `${REPO}#3`,
      repo: REPO,
      keys: "web",
    };
    expect(kinds([claim, working(2, "r1", "web"), ...quiet, final("not_ready")])).toEqual(["double_holder"]);
  });

  it("reports a frame acted on after its item was dispatched again with a newer fence", () => {
    const dispatch = (t: number, runId: string, fence: number): LogEntry => ({
      t,
      kind: "dispatch",
      repo: REPO,
      runId,
      fence,
      issue: 3,
      keys: ["api"],
    });
    const log: LogEntry[] = [
      dispatch(1, "r1", 1),
      dispatch(2, "r2", 2),
      { t: 3, kind: "frame_in", repo: REPO, id: "f1", type: "heartbeat", runId: "r1", fence: 1 },
      { t: 3, kind: "frame_reply", repo: REPO, id: "f1", ok: true, error: null },
      ...quiet,
      final("not_ready"),
    ];
    expect(kinds(log)).toEqual(["stale_fence"]);
    const refused = log.map((entry) => (entry.kind === "frame_reply" ? { ...entry, ok: false } : entry));
    expect(kinds(refused)).toEqual([]);
  });

  it("reports a worktree with uncommitted work removed or made afresh", () => {
    const removed: LogEntry = { t: 1, kind: "worktree_removed", agent: "a1", branch: "b", dirty: true };
    expect(kinds([removed, ...quiet, final("not_ready")])).toEqual(["work_deleted"]);
    const kept: LogEntry = { t: 1, kind: "worktree_kept", agent: "a1", branch: "b", dirty: true };
    const made: LogEntry = { t: 2, kind: "worktree_made", agent: "a1", branch: "b", dirty: false };
    expect(kinds([kept, made, ...quiet, final("not_ready")])).toEqual(["work_deleted"]);
  });

  it("reports a runnable item left undispatched, a claim left behind, and a log with no final state", () => {
    expect(kinds([...quiet, final("runnable")])).toEqual(["not_dispatched"]);
    const claimed = { ...final("active"), status: "In Progress", claimOwner: "worker-factory/a1" };
    expect(kinds([...quiet, claimed])).toEqual(["item_lost"]);
    expect(kinds([working(1, "r1", "api")])).toEqual(["not_quiet"]);
  });
});
