// The daemon's connection to the RepoQueue: reconnect and resume, the durable outbox, applied
// ids across restarts, stale fences, and a clean shutdown.
import { statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { backoffDelay, connectUrl } from "../../local-agent/connect.ts";
import { FakeRepoQueue, isType } from "./support/fake-repo-queue.ts";
import { makeRepos } from "./support/git-repos.ts";
import { dispatchFrame, runDir, startHarness, type Harness } from "./support/harness.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function track(harness: Harness): Harness {
  cleanups.push(() => harness.stop());
  return harness;
}

describe("reconnect", () => {
  it("reconnects after a drop, reports its live run in hello, resends unanswered frames, and does not run a re-sent dispatch twice", async () => {
    const { server, repos, daemon, logs } = track(await startHarness({ agent: "wait-then-commit.sh" }));
    server.autoReply = false;
    const frame = dispatchFrame();
    server.dispatch(frame);
    const started = await server.waitFor(isType("run_started", (f) => f.runId === frame.runId));

    const nextHello = server.waitForNext(isType("hello"));
    const resent = server.waitForNext(isType("run_started", (f) => f.id === started.id));
    server.drop();
    const hello = await nextHello;
    expect(server.connections).toBe(2);
    expect(hello.runs).toEqual([{ runId: frame.runId, fence: 1, state: "running" }]);
    await resent;
    server.autoReply = true;

    const acked = server.waitForNext(isType("ack", (f) => f.id === frame.id));
    server.dispatch(frame);
    await acked;
    expect(daemon.liveRuns()).toHaveLength(1);
    expect(logs.some((r) => r.event === "duplicate_dropped" && r.id === frame.id)).toBe(true);

    writeFileSync(path.join(runDir(repos, frame.runId), "go"), "go");
    const finished = await server.waitFor(isType("run_finished", (f) => f.runId === frame.runId));
    expect(finished.outcome).toBe("succeeded");
    expect(server.of("run_started").map((f) => f.id)).toEqual([started.id, started.id]);
  });

  it("keeps unanswered reports and applied ids on disk, so a restarted daemon resends them and ignores an old dispatch", async () => {
    const server = await FakeRepoQueue.start();
    const repos = makeRepos();
    cleanups.push(() => server.close());
    server.autoReply = false;
    const first = await startHarness({ agent: "noop.sh", server, repos });
    const frame = dispatchFrame();
    server.dispatch(frame);
    const report = await server.waitFor(isType("run_finished", (f) => f.runId === frame.runId));
    await first.daemon.settled();
    await first.daemon.stop();
    expect(first.daemon.store.outbox().map((f) => f.id)).toContain(report.id);

    // The report proves the run, and the state file that keeps its secret is the owner's alone.
    expect(report.runSecret).toBe(frame.runSecret);
    expect(statSync(first.daemon.store.file).mode & 0o777).toBe(0o600);

    server.autoReply = true;
    const resent = server.waitForNext(isType("run_finished", (f) => f.id === report.id));
    const second = await startHarness({ agent: "noop.sh", server, repos });
    cleanups.push(() => second.daemon.stop());
    expect((await resent).runSecret).toBe(frame.runSecret);

    const acked = server.waitForNext(isType("ack", (f) => f.id === frame.id));
    server.dispatch(frame);
    await acked;
    expect(second.daemon.liveRuns()).toEqual([]);
    // Only the first daemon's run_started (resent by the second), never a new one.
    expect(new Set(server.of("run_started").map((f) => f.id)).size).toBe(1);
    expect(new Set(server.of("run_finished").map((f) => f.id))).toEqual(new Set([report.id]));
    expect(server.unauthorized).toEqual([]);
  });

  it("stops a run without reporting it when the RepoQueue refuses its frames as unauthorized", async () => {
    const harness = track(await startHarness({ agent: "wait-then-commit.sh" }));
    const { server, daemon, logs } = harness;
    const frame = dispatchFrame();
    // As if the dispatch had been for another daemon: its secret is not the one the server kept.
    server.replyWith = (f) =>
      f.type === "heartbeat"
        ? { type: "reply", id: f.id, ok: false, error: "unauthorized", message: "wrong secret" }
        : undefined;
    server.dispatch(frame);
    await server.waitFor(isType("heartbeat", (f) => f.runId === frame.runId));
    await daemon.settled(frame.runId);
    expect(logs.some((r) => r.event === "unauthorized_stopping_run" && r.runId === frame.runId)).toBe(true);
    expect(server.of("run_finished").filter((f) => f.runId === frame.runId)).toEqual([]);
  });

  it("stops a run without reporting it when the RepoQueue answers stale_fence", async () => {
    const harness = track(await startHarness({ agent: "wait-then-commit.sh" }));
    const { server, daemon, logs } = harness;
    server.replyWith = (frame) =>
      frame.type === "heartbeat"
        ? { type: "reply", id: frame.id, ok: false, error: "stale_fence", message: "fence 1 < 2" }
        : undefined;
    server.autoReply = true;
    const frame = dispatchFrame();
    server.dispatch(frame);
    await server.waitFor(isType("heartbeat", (f) => f.runId === frame.runId));
    await daemon.settled(frame.runId);
    await daemon.settled();
    expect(logs.some((r) => r.event === "stale_fence_stopping_run" && r.runId === frame.runId)).toBe(true);
    expect(server.of("run_finished").filter((f) => f.runId === frame.runId)).toEqual([]);
  });
});

describe("shutdown", () => {
  it("stops running agents, reports them stopped and closes the socket with 1000", async () => {
    const harness = await startHarness({ agent: "wait-then-commit.sh" });
    const { server, daemon } = harness;
    const frame = dispatchFrame();
    server.dispatch(frame);
    await server.waitFor(isType("run_started", (f) => f.runId === frame.runId));
    await daemon.stop("the daemon received SIGTERM");
    const finished = server.of("run_finished").find((f) => f.runId === frame.runId);
    expect(finished?.outcome).toBe("stopped");
    expect(finished?.reason).toBe("the daemon received SIGTERM");
    expect(daemon.store.outbox()).toEqual([]);
    await server.close();
    expect(server.closeCodes).toEqual([1000]);
  });
});

describe("connection helpers", () => {
  it("turns the Worker URL into the agents/connect WebSocket URL for the repo", () => {
    expect(connectUrl("https://wf.example.workers.dev/", "acme/widgets")).toBe(
      "wss://wf.example.workers.dev/agents/connect?repo=acme%2Fwidgets",
    );
    expect(connectUrl("http://127.0.0.1:8787", "a/b")).toBe("ws://127.0.0.1:8787/agents/connect?repo=a%2Fb");
  });

  it("backs off exponentially with full jitter, capped", () => {
    expect(backoffDelay(0, 500, 30_000, () => 0.999)).toBe(499);
    expect(backoffDelay(3, 500, 30_000, () => 0.5)).toBe(2000);
    expect(backoffDelay(20, 500, 30_000, () => 0.999)).toBe(29_970);
    expect(backoffDelay(5, 500, 30_000, () => 0)).toBe(50);
  });
});
