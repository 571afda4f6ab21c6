// The daemon end to end against a fake RepoQueue, real git repos and fixture agents.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isAlive } from "../../local-agent/process-tree.ts";
import { isType } from "./support/fake-repo-queue.ts";
import { git } from "./support/git-repos.ts";
import { dispatchFrame, runDir, startHarness, waitForFile, type Harness } from "./support/harness.ts";

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.stop();
  harness = null;
});

const finishedFor = (runId: string) => isType("run_finished", (f) => f.runId === runId);

describe("a dispatched run", () => {
  it("runs the agent in a worktree on subfeature/task/<n>-<slug> from origin/main and reports its commits", async () => {
    harness = await startHarness({ agent: "commit.sh" });
    const { server, repos } = harness;
    await server.waitFor(isType("hello"));
    const frame = dispatchFrame({ issueNumber: 57, title: "Worker telemetry logging" });
    server.dispatch(frame);

    await server.waitFor(isType("ack", (f) => f.id === frame.id));
    const started = await server.waitFor(isType("run_started", (f) => f.runId === frame.runId));
    expect(started.branch).toBe("subfeature/task/57-worker-telemetry-logging");
    expect(started.worktree).toBe(path.join(runDir(repos, frame.runId), "worktree"));

    const finished = await server.waitFor(finishedFor(frame.runId));
    await harness.daemon.settled();
    expect(finished.outcome).toBe("succeeded");
    expect(finished.exitCode).toBe(0);
    expect(finished.branch).toBe("subfeature/task/57-worker-telemetry-logging");
    expect(finished.prUrl).toBe("https://github.com/acme/widgets/pull/7");
    const pushed = git(
      repos.origin,
      "rev-list",
      "--reverse",
      "main..subfeature/task/57-worker-telemetry-logging",
    ).split("\n");
    expect(finished.commits).toEqual(pushed);
    expect(finished.commits).toHaveLength(2);
    expect(git(repos.origin, "rev-parse", `${finished.commits[0]}^`)).toBe(
      git(repos.origin, "rev-parse", "main"),
    );
    expect(git(repos.origin, "log", "-1", "--format=%an <%ae>", finished.commits[1] ?? "")).toBe(
      "Test Agent <agent@example.com>",
    );
    // A clean worktree of a finished run is removed; its branch stays.
    expect(existsSync(started.worktree)).toBe(false);
    expect(git(repos.clone, "branch", "--list", "subfeature/task/57-*")).toContain(
      "subfeature/task/57-worker-telemetry-logging",
    );
  });

  it("writes a minimal prompt file with the dispatch arguments and the branch/PR duties", async () => {
    harness = await startHarness({ agent: "commit.sh" });
    const frame = dispatchFrame({
      issueNumber: 63,
      title: "Add contract test fixtures",
      lockScope: "files",
      neededFiles: ["contracts/a.json"],
      lockKeys: ["contracts:contracts/a.json"],
    });
    harness.server.dispatch(frame);
    await harness.server.waitFor(finishedFor(frame.runId));
    const prompt = readFileSync(path.join(runDir(harness.repos, frame.runId), "prompt.md"), "utf8");
    for (const text of [
      "acme/widgets#63",
      "Add contract test fixtures",
      frame.args.url,
      "Area: worker",
      "lock key(s): `contracts:contracts/a.json`",
      "- contracts/a.json",
      "- #12",
      "- npm test passes",
      "https://example.com/spec",
      "`subfeature/task/63-add-contract-test-fixtures`",
      "conventional messages",
      "git push -u origin subfeature/task/63-add-contract-test-fixtures",
      "Worker Factory opens the pull request from your pushed branch into `main` (with `Closes #63`)",
      "if you open one yourself for this branch, it is adopted, never duplicated",
      "Do not touch files outside the lock scope",
      "stop and report",
    ]) {
      expect(prompt).toContain(text);
    }
  });

  it("reports failed when the agent exits 0 without committing", async () => {
    harness = await startHarness({ agent: "noop.sh" });
    const frame = dispatchFrame();
    harness.server.dispatch(frame);
    const finished = await harness.server.waitFor(finishedFor(frame.runId));
    expect(finished.outcome).toBe("failed");
    expect(finished.reason).toBe("agent exited 0 but made no commits");
    expect(finished.commits).toEqual([]);
  });

  it("reports failed with the last stderr line when the agent exits 1", async () => {
    harness = await startHarness({ agent: "fail.sh" });
    const frame = dispatchFrame();
    harness.server.dispatch(frame);
    const finished = await harness.server.waitFor(finishedFor(frame.runId));
    expect(finished.outcome).toBe("failed");
    expect(finished.exitCode).toBe(1);
    expect(finished.reason).toBe("agent exited 1: Error: No authentication information found.");
    const log = readFileSync(path.join(runDir(harness.repos, frame.runId), "agent.log"), "utf8");
    expect(log).toContain("No authentication information found.");
  });

  it("kills a stalled agent and reports it stalled", async () => {
    harness = await startHarness({ agent: "hang.sh", config: { stallTimeoutSeconds: 1 } });
    const frame = dispatchFrame();
    harness.server.dispatch(frame);
    const finished = await harness.server.waitFor(finishedFor(frame.runId));
    expect(finished.outcome).toBe("stalled");
    expect(finished.reason).toBe("no output for 1s (stalled)");
    expect(
      harness.logs.some(
        (r) => r.event === "agent_ended" && Array.isArray(r.survivors) && r.survivors.length === 0,
      ),
    ).toBe(true);
  });

  it("kills an agent that runs past its timeout and reports it failed", async () => {
    harness = await startHarness({
      agent: "chatter.sh",
      config: { agentTimeoutSeconds: 1, stallTimeoutSeconds: 30 },
    });
    const frame = dispatchFrame();
    harness.server.dispatch(frame);
    const finished = await harness.server.waitFor(finishedFor(frame.runId));
    expect(finished.outcome).toBe("failed");
    expect(finished.reason).toBe("timed out after 1s");
  });

  it("sends heartbeats while the agent runs", async () => {
    harness = await startHarness({ agent: "wait-then-commit.sh" });
    const frame = dispatchFrame();
    harness.server.dispatch(frame);
    const heartbeat = await harness.server.waitFor(isType("heartbeat", (f) => f.runId === frame.runId));
    expect(heartbeat.fence).toBe(1);
    writeFileSync(path.join(runDir(harness.repos, frame.runId), "go"), "go");
    expect((await harness.server.waitFor(finishedFor(frame.runId))).outcome).toBe("succeeded");
  });

  it("finishes with conflict, in the seed's words, when the lock re-check finds an overlapping item", async () => {
    harness = await startHarness({
      check: async () => ({
        ok: false,
        reason: "Lock conflict: Issue #42 currently holds overlapping lock key(s).",
      }),
    });
    const frame = dispatchFrame();
    harness.server.dispatch(frame);
    const finished = await harness.server.waitFor(finishedFor(frame.runId));
    expect(finished.outcome).toBe("conflict");
    expect(finished.reason).toBe("Lock conflict: Issue #42 currently holds overlapping lock key(s).");
    expect(harness.server.of("run_started")).toEqual([]);
  });

  it("refuses to run on a dirty base", async () => {
    harness = await startHarness();
    writeFileSync(path.join(harness.repos.clone, "README.md"), "# edited\n");
    const frame = dispatchFrame();
    harness.server.dispatch(frame);
    const finished = await harness.server.waitFor(finishedFor(frame.runId));
    expect(finished.outcome).toBe("refused");
    expect(finished.reason).toMatch(/^base is dirty: 1 uncommitted change\(s\)/);
  });

  it("refuses a cloud or local-ide item without touching git: it is Copilot's or a person's", async () => {
    harness = await startHarness();
    const cloud = dispatchFrame({ agentMode: "cloud" });
    harness.server.dispatch(cloud);
    const refused = await harness.server.waitFor(finishedFor(cloud.runId));
    expect([refused.outcome, refused.reason]).toEqual([
      "refused",
      "Agent Mode is cloud: GitHub's Copilot coding agent works on it, not a daemon.",
    ]);
    const person = dispatchFrame({ agentMode: "local-ide" });
    harness.server.dispatch(person);
    expect((await harness.server.waitFor(finishedFor(person.runId))).reason).toMatch(
      /^Agent Mode is local-ide: /,
    );
    expect(harness.server.of("run_started")).toEqual([]);
  });

  it("refuses to run on an unpushed base", async () => {
    harness = await startHarness();
    const { clone } = harness.repos;
    writeFileSync(path.join(clone, "notes.md"), "local only\n");
    git(clone, "add", "notes.md");
    git(clone, "commit", "-q", "-m", "chore: local only");
    const frame = dispatchFrame();
    harness.server.dispatch(frame);
    const finished = await harness.server.waitFor(finishedFor(frame.runId));
    expect(finished.outcome).toBe("refused");
    expect(finished.reason).toBe(
      "base is not pushed: main is 1 commit(s) ahead of origin/main; push it first",
    );
  });
});

describe("steering", () => {
  it("stop_and_requeue kills the whole process tree, including a grandchild in its own session", async () => {
    harness = await startHarness({ agent: "tree.mjs" });
    const frame = dispatchFrame();
    harness.server.dispatch(frame);
    const dir = runDir(harness.repos, frame.runId);
    const grandchild = Number(await waitForFile(path.join(dir, "grandchild.pid")));
    const child = Number(await waitForFile(path.join(dir, "child.pid")));
    expect(isAlive(grandchild)).toBe(true);

    harness.server.steer({
      id: "steer-stop-1",
      runId: frame.runId,
      fence: 1,
      command: "stop_and_requeue",
      reason: "priority changed",
      sourceEventId: "evt-1",
    });
    const applied = await harness.server.waitFor(
      isType("steer_applied", (f) => f.steerId === "steer-stop-1"),
    );
    expect(applied.runId).toBe(frame.runId);
    expect(isAlive(grandchild)).toBe(false);
    expect(isAlive(child)).toBe(false);
    const finished = await harness.server.waitFor(finishedFor(frame.runId));
    expect(finished.outcome).toBe("stopped");
    expect(finished.reason).toBe("stopped by steering: priority changed");
  });

  it("append_context to an agent without a live channel lands in its prompt file and restarts it, said in the run log and reported fell_back", async () => {
    harness = await startHarness({ agent: "wait-then-commit.sh" });
    const frame = dispatchFrame();
    harness.server.dispatch(frame);
    await harness.server.waitFor(isType("run_started", (f) => f.runId === frame.runId));
    // The agent is running (it recorded its start), so the restart is a second start.
    await waitForFile(path.join(runDir(harness.repos, frame.runId), "starts"));
    const steer = {
      id: "steer-ctx-1",
      runId: frame.runId,
      fence: 1,
      command: "append_context" as const,
      reason: "new info",
      sourceEventId: "evt-2",
      text: "Also log the fence.",
    };
    harness.server.steer(steer);
    const applied = await harness.server.waitFor(isType("steer_applied", (f) => f.steerId === "steer-ctx-1"));
    expect(applied.effect).toBe("fell_back");
    expect(applied.detail).toBe(
      "the custom agent command takes its prompt once, at start (no live input channel): restarted in the same worktree with the refreshed prompt",
    );
    // Applied once: the same steer again is acked and dropped.
    harness.server.steer(steer);
    await harness.server.waitForNext(isType("ack", (f) => f.id === "steer-ctx-1"));
    const dir = runDir(harness.repos, frame.runId);
    const prompt = readFileSync(path.join(dir, "prompt.md"), "utf8");
    expect(prompt).toContain("### Additional context (new info)");
    expect(prompt).toContain("```text\nAlso log the fence.\n```");
    expect(prompt.split("Also log the fence.")).toHaveLength(2);
    expect(readFileSync(path.join(dir, "agent.log"), "utf8")).toContain(
      "steering steer-ctx-1 fell back to a checkpoint and restart",
    );
    writeFileSync(path.join(dir, "go"), "go");
    expect((await harness.server.waitFor(finishedFor(frame.runId))).outcome).toBe("succeeded");
    expect(readFileSync(path.join(dir, "starts"), "utf8").trim().split("\n")).toHaveLength(2);
    expect(harness.server.of("steer_applied").filter((f) => f.steerId === "steer-ctx-1")).toHaveLength(1);
  });

  it("checkpoint_and_replan restarts the agent in the same worktree with the checkpoint in its prompt", async () => {
    harness = await startHarness({ agent: "wait-then-commit.sh" });
    const frame = dispatchFrame();
    harness.server.dispatch(frame);
    const started = await harness.server.waitFor(isType("run_started", (f) => f.runId === frame.runId));
    const dir = runDir(harness.repos, frame.runId);
    await waitForFile(path.join(dir, "starts"));
    harness.server.steer({
      id: "steer-cp-1",
      runId: frame.runId,
      fence: 1,
      command: "checkpoint_and_replan",
      reason: "dependency landed",
      sourceEventId: "evt-3",
      text: "Use the new logger API.",
    });
    await harness.server.waitFor(isType("steer_applied", (f) => f.steerId === "steer-cp-1"));
    const prompt = readFileSync(path.join(dir, "prompt.md"), "utf8");
    expect(prompt).toContain("## Checkpoint and replan");
    expect(prompt).toContain("Reason: dependency landed.");
    expect(prompt).toContain("Use the new logger API.");
    writeFileSync(path.join(dir, "go"), "go");
    const finished = await harness.server.waitFor(finishedFor(frame.runId));
    expect(finished.outcome).toBe("succeeded");
    expect(readFileSync(path.join(dir, "starts"), "utf8").trim().split("\n")).toHaveLength(2);
    expect(harness.server.of("run_started").filter((f) => f.runId === frame.runId)).toEqual([started]);
  });
});
