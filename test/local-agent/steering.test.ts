// Steering a run whose agent has no live channel (a custom command): a graceful stop that keeps
// the work, and a checkpoint that commits it before the restart. Fake RepoQueue, real git.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isType } from "./support/fake-repo-queue.ts";
import { git } from "./support/git-repos.ts";
import { dispatchFrame, runDir, startHarness, waitForFile, type Harness } from "./support/harness.ts";

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.stop();
  harness = null;
});

const finishedFor = (runId: string) => isType("run_finished", (f) => f.runId === runId);

describe("stop_and_requeue", () => {
  it("lets the agent use its grace period, commits what it left, pushes the branch, and reports stopped", async () => {
    harness = await startHarness({ agent: "dirty-then-wait.sh" });
    const { server, repos } = harness;
    const frame = dispatchFrame({ issueNumber: 70, title: "Stop me" });
    server.dispatch(frame);
    const started = await server.waitFor(isType("run_started", (f) => f.runId === frame.runId));
    await waitForFile(path.join(runDir(repos, frame.runId), "starts"));
    await waitForFile(path.join(started.worktree, "wip.txt"));

    server.steer({
      id: "steer-stop-grace",
      runId: frame.runId,
      fence: 1,
      command: "stop_and_requeue",
      reason: "the issue was closed",
      sourceEventId: "evt-10",
    });
    const applied = await server.waitFor(isType("steer_applied", (f) => f.steerId === "steer-stop-grace"));
    const finished = await server.waitFor(finishedFor(frame.runId));
    expect(applied.effect).toBe("delivered");
    expect(applied.detail).toMatch(/^stopped; WIP commit [0-9a-f]{12}; pushed subfeature\/task\/70-stop-me$/);
    expect(finished.outcome).toBe("stopped");
    expect(finished.reason).toBe("stopped by steering: the issue was closed (1 commit(s) on the branch)");
    expect(finished.commits).toHaveLength(1);
    // The agent's SIGTERM handler ran before the commit: it had its grace period.
    expect(git(repos.origin, "show", `${started.branch}:wip.txt`)).toMatch(/^work of \d+\nsaved on SIGTERM$/);
    expect(git(repos.origin, "log", "-1", "--format=%s", started.branch)).toBe(
      `wip: stopped by steering: the issue was closed (run ${frame.runId})`,
    );
    expect(server.frames.indexOf(applied)).toBeLessThan(server.frames.indexOf(finished));
  });
});

describe("checkpoint_and_replan", () => {
  it("commits the agent's uncommitted work as a WIP checkpoint, then restarts it on top of it", async () => {
    harness = await startHarness({ agent: "dirty-then-wait.sh" });
    const { server, repos } = harness;
    const frame = dispatchFrame({ issueNumber: 71, title: "Replan me" });
    server.dispatch(frame);
    const started = await server.waitFor(isType("run_started", (f) => f.runId === frame.runId));
    const dir = runDir(repos, frame.runId);
    await waitForFile(path.join(dir, "starts"));
    await waitForFile(path.join(started.worktree, "wip.txt"));

    server.steer({
      id: "steer-cp-wip",
      runId: frame.runId,
      fence: 1,
      command: "checkpoint_and_replan",
      reason: "scope changed",
      sourceEventId: "evt-11",
      text: "Only touch worker/telemetry.ts.",
    });
    const applied = await server.waitFor(isType("steer_applied", (f) => f.steerId === "steer-cp-wip"));
    expect(applied.effect).toBe("delivered");
    expect(applied.detail).toMatch(
      /^checkpointed and restarted in the same worktree with the refreshed prompt; WIP commit [0-9a-f]{12}$/,
    );
    expect(git(started.worktree, "log", "-1", "--format=%s")).toBe(
      `wip: checkpoint before replanning (run ${frame.runId})`,
    );
    const prompt = readFileSync(path.join(dir, "prompt.md"), "utf8");
    expect(prompt).toContain("Commits already on the branch:");
    expect(prompt).toContain("Only touch worker/telemetry.ts.");

    writeFileSync(path.join(dir, "go"), "go");
    const finished = await server.waitFor(finishedFor(frame.runId));
    expect(finished.outcome).toBe("succeeded");
    expect(finished.commits).toHaveLength(2);
    expect(readFileSync(path.join(dir, "starts"), "utf8").trim().split("\n")).toHaveLength(2);
  });
});
