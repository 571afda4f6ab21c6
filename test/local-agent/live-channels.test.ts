// The live channels' edges: a steering message that races the end of a turn, and a graceful
// stop through the protocol. Stand-ins for the two CLIs (real child processes speaking their
// stdio protocols) make the race happen every time; the real CLIs are steered in
// test/e2e/real-agent-steering.test.ts.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { isType } from "./support/fake-repo-queue.ts";
import {
  dispatchFrame,
  FIXTURES,
  runDir,
  startHarness,
  waitForFile,
  type Harness,
} from "./support/harness.ts";

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.stop();
  harness = null;
});

const steer = (runId: string, id: string) => ({
  id,
  runId,
  fence: 1,
  command: "append_context" as const,
  reason: "a person commented",
  sourceEventId: `evt-${id}`,
  text: "Late news: RACE-TOKEN.",
});

/** A daemon whose `claude` or `codex` binary is the stand-in; a run dispatched to it, its first turn running. */
async function startFakeRun(
  kind: "claude" | "codex",
): Promise<{ started: Harness; runId: string; dir: string }> {
  const agentBin = path.join(FIXTURES, kind === "claude" ? "fake-claude.sh" : "fake-codex.sh");
  const started = await startHarness({ config: { agent: kind, agentCommand: undefined, agentBin } });
  harness = started;
  const frame = dispatchFrame();
  started.server.dispatch(frame);
  const dir = runDir(started.repos, frame.runId);
  await waitForFile(path.join(dir, "turn1-running"));
  return { started, runId: frame.runId, dir };
}

function requestMethods(dir: string): string[] {
  return readFileSync(path.join(dir, "codex-requests.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { method: string }).method);
}

/** Polls a file until it holds `text` (the daemon writes agent.log as the agent's output comes). */
async function waitForText(file: string, text: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!readFileSync(file, "utf8").includes(text)) {
    if (Date.now() > deadline) throw new Error(`${file} did not show ${text} within ${timeoutMs} ms`);
    await delay(20);
  }
}

describe("a steering message that races the end of a turn", () => {
  it("Claude Code: the first result does not end the session; stdin stays open until the message's own turn ends", async () => {
    const { started, runId, dir } = await startFakeRun("claude");
    const { server } = started;
    server.steer(steer(runId, "steer-race-claude"));
    const applied = await server.waitFor(isType("steer_applied", (f) => f.steerId === "steer-race-claude"));
    expect(applied.effect).toBe("delivered");
    await waitForText(path.join(dir, "agent.log"), '"type":"result"');
    writeFileSync(path.join(dir, "continue"), "go");

    const finished = await server.waitFor(isType("run_finished", (f) => f.runId === runId));
    expect(readFileSync(path.join(dir, "stdin-at-continue"), "utf8")).toBe("open");
    expect(readFileSync(path.join(dir, "steered.txt"), "utf8")).toContain("Late news: RACE-TOKEN.");
    expect(finished.outcome).toBe("succeeded");
    expect(started.logs.some((r) => r.event === "claude_result_with_input_outstanding")).toBe(true);
  });

  it("Codex: turn/steer finds no active turn, so the text starts a new turn of the same thread before stdin closes", async () => {
    const { started, runId, dir } = await startFakeRun("codex");
    const { server } = started;
    server.steer(steer(runId, "steer-race-codex"));

    const applied = await server.waitFor(isType("steer_applied", (f) => f.steerId === "steer-race-codex"));
    const finished = await server.waitFor(isType("run_finished", (f) => f.runId === runId));
    expect(applied).toMatchObject({
      effect: "delivered",
      detail: "started a new turn of Codex's thread with it (turn/start)",
    });
    expect(readFileSync(path.join(dir, "steered.txt"), "utf8")).toContain("Late news: RACE-TOKEN.");
    expect(requestMethods(dir)).toEqual([
      "initialize",
      "initialized",
      "thread/start",
      "turn/start",
      "turn/steer",
      "turn/start",
    ]);
    expect(finished.outcome).toBe("succeeded");
  });
});

describe("stop_and_requeue on the Codex app-server", () => {
  it("interrupts the running turn (turn/interrupt) and lets the app-server end on its own", async () => {
    const { started, runId, dir } = await startFakeRun("codex");
    const { server } = started;
    server.steer({ ...steer(runId, "steer-stop-codex"), command: "stop_and_requeue", reason: "closed" });

    const finished = await server.waitFor(isType("run_finished", (f) => f.runId === runId));
    expect(finished.outcome).toBe("stopped");
    expect(finished.reason).toBe("stopped by steering: closed");
    expect(requestMethods(dir).at(-1)).toBe("turn/interrupt");
    expect(readFileSync(path.join(dir, "ended-cleanly"), "utf8")).toBe("yes");
  });
});
