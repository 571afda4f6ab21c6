/**
 * Live steering with the real CLIs from npm (Claude Code on stream-json, Codex on app-server),
 * each pointed at the scripted model endpoint on loopback, driven by the daemon against the fake
 * RepoQueue, in real git repos. While the agent's first tool call runs, the test sends an
 * `append_context`; the model's next request in the same session must carry it, and the run
 * goes on to its commit. The tool call also asks for scope with `wf-scope`, from the agent's own
 * shell. A model that never answers is caught as a stall.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentConfigInput } from "../../local-agent/config.ts";
import { isType, type Frame } from "../local-agent/support/fake-repo-queue.ts";
import { git } from "../local-agent/support/git-repos.ts";
import {
  dispatchFrame,
  runDir,
  startHarness,
  waitForFile,
  type Harness,
} from "../local-agent/support/harness.ts";
import {
  CLAUDE_BIN,
  claudeAgentEnv,
  CODEX_BIN,
  codexAgentEnv,
  writeCodexHome,
} from "../support/real-agents.ts";
import {
  startScriptedModelServer,
  type ScriptedModelServer,
  type ScriptStep,
} from "../support/scripted-model-server.ts";

type Kind = "claude" | "codex";
type RunFinished = Extract<Frame, { type: "run_finished" }>;
type SteerApplied = Extract<Frame, { type: "steer_applied" }>;

/** The first tool call: ask for scope, say it runs, then wait (capped at 30 s) for the test's release. */
const WAITING_TOOL = [
  'wf-scope request notes/extra.md --reason "the notes need it"',
  "echo running > ../tool-running",
  "i=0; while [ ! -e ../release ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done",
  "echo released",
].join("; ");
const commitTool = (kind: Kind): string =>
  [
    "mkdir -p notes",
    `echo "${kind} was steered" > notes/${kind}.md`,
    `git add notes/${kind}.md`,
    `git commit -q -m "docs: ${kind} took the new information"`,
    "git push -q -u origin HEAD",
    "echo pushed",
  ].join(" && ");

async function agentConfig(kind: Kind, model: ScriptedModelServer): Promise<Partial<AgentConfigInput>> {
  const common = { agent: kind, agentCommand: undefined, agentTimeoutSeconds: 180 } as const;
  if (kind === "claude") return { ...common, agentBin: CLAUDE_BIN, agentEnv: claudeAgentEnv(model) };
  const home = await writeCodexHome(await mkdtemp(join(tmpdir(), "wf-codex-")), model);
  return { ...common, agentBin: CODEX_BIN, agentHomeTemplate: home, agentEnv: codexAgentEnv() };
}

async function startAgentHarness(
  kind: Kind,
  steps: ScriptStep[],
  config: Partial<AgentConfigInput> = {},
): Promise<{ harness: Harness; model: ScriptedModelServer }> {
  const model = await startScriptedModelServer({ steps });
  const harness = await startHarness({
    // Nothing of the test's own environment (model keys, proxies) reaches the agents.
    env: { PATH: process.env.PATH, LANG: "C.UTF-8" },
    config: { ...(await agentConfig(kind, model)), stallTimeoutSeconds: 60, ...config },
  });
  harness.server.scopeVerdict = () => ({
    granted: true,
    reason: "",
    lockKeys: ["worker", "notes:notes/extra.md"],
  });
  return { harness, model };
}

/** The daemon's last log lines and the model's answers, for a failure message. */
function diagnostics(harness: Harness, model: ScriptedModelServer): string {
  return [
    ...harness.logs.slice(-25).map((record) => JSON.stringify(record)),
    `model answers: ${JSON.stringify(model.requests.map((r) => `${r.method} ${r.path}: ${r.answer}`))}`,
  ].join("\n");
}

for (const kind of ["claude", "codex"] as const) {
  const channel = kind === "claude" ? "stream-json input" : "turn/steer";
  describe(`steering the real ${kind === "claude" ? "Claude Code" : "Codex"} CLI mid-run`, () => {
    const token = `STEER-${kind.toUpperCase()}-${process.pid}`;
    let harness: Harness;
    let model: ScriptedModelServer;
    let runId: string;
    let applied: SteerApplied;
    let finished: RunFinished;

    beforeAll(async () => {
      ({ harness, model } = await startAgentHarness(kind, [
        { command: WAITING_TOOL },
        { command: commitTool(kind) },
        { message: "Committed the notes with the new information." },
      ]));
      const frame = dispatchFrame({ issueNumber: kind === "claude" ? 91 : 92, title: `Steer ${kind}` });
      runId = frame.runId;
      const dir = runDir(harness.repos, runId);
      try {
        harness.server.dispatch(frame);
        await waitForFile(join(dir, "tool-running"), 90_000);
        harness.server.steer({
          id: `steer-live-${kind}`,
          runId,
          fence: 1,
          command: "append_context",
          reason: "a person commented",
          sourceEventId: `evt-${kind}`,
          text: `New information: ${token}. Mention it in the notes.`,
        });
        applied = await harness.server.waitFor(
          isType("steer_applied", (f) => f.steerId === `steer-live-${kind}`),
        );
        writeFileSync(join(dir, "release"), "go");
        finished = await harness.server.waitFor(
          isType("run_finished", (f) => f.runId === runId),
          120_000,
        );
      } catch (error) {
        throw new Error(
          `${error instanceof Error ? error.message : String(error)}\n${diagnostics(harness, model)}`,
          {
            cause: error,
          },
        );
      }
    }, 240_000);

    afterAll(async () => {
      await harness?.stop();
      await model?.close();
    });

    it(`reports the steer delivered live through ${channel}`, () => {
      expect(applied.effect).toBe("delivered");
      expect(applied.detail).toContain(kind === "claude" ? "stream-json" : "turn/steer");
    });

    it("puts the steering text in the session's next model request, after the running tool's output", () => {
      const answered = model.requests.filter((r) => r.api !== null);
      const first = answered[0];
      const carrying = answered.find((r) => r.text.includes(token));
      expect(first?.text, diagnostics(harness, model)).toContain(
        `# Task: acme/widgets#${kind === "claude" ? 91 : 92}`,
      );
      expect(first?.text).not.toContain(token);
      // The same conversation: the request that carries the text also carries the tool's output.
      expect(carrying?.text).toContain("released");
      expect(carrying?.answer).toBe("tool_call");
      expect(carrying).toBe(answered[1]);
    });

    it("goes on to its commit, pushed on the item's branch, and is reported succeeded", () => {
      expect(finished.outcome, diagnostics(harness, model)).toBe("succeeded");
      const branch = finished.branch ?? "";
      expect(git(harness.repos.origin, "log", "-1", "--format=%s", branch)).toBe(
        `docs: ${kind} took the new information`,
      );
    });

    it("keeps the steering text in the prompt file, for a later restart", () => {
      expect(readFileSync(join(runDir(harness.repos, runId), "prompt.md"), "utf8")).toContain(token);
    });

    it("finds wf-scope on the agent shell's PATH, and the model reads the granted scope", () => {
      const request = harness.server.of("scope_request").find((f) => f.runId === runId);
      expect(request?.paths).toEqual(["notes/extra.md"]);
      const afterTool = model.requests.find((r) => r.text.includes("released"));
      expect(afterTool?.text).toContain("Scope granted: you may now also edit notes/extra.md.");
    });
  });

  describe(`a stalled ${kind === "claude" ? "Claude Code" : "Codex"} session`, () => {
    it("is stopped after the stall timeout, with nothing of it left running, and reported stalled with the reason", async () => {
      const { harness, model } = await startAgentHarness(kind, [{ hang: true }], { stallTimeoutSeconds: 5 });
      try {
        const frame = dispatchFrame({ issueNumber: kind === "claude" ? 93 : 94, title: `Stall ${kind}` });
        harness.server.dispatch(frame);
        const finished = await harness.server.waitFor(
          isType("run_finished", (f) => f.runId === frame.runId),
          90_000,
        );
        const silence = kind === "claude" ? "stream-json events" : "app-server events";
        expect(finished.outcome, diagnostics(harness, model)).toBe("stalled");
        expect(finished.reason).toBe(`no output and no ${silence} for 5s (stalled)`);
        // The silence was the model's: the session had sent its request and waited for the answer.
        expect(model.requests.map((r) => r.answer)).toContain("hang");
        await harness.daemon.settled();
        const ended = harness.logs.find((r) => r.event === "agent_ended" && r.runId === frame.runId);
        expect(ended?.survivors).toEqual([]);
        expect(existsSync(join(runDir(harness.repos, frame.runId), "worktree"))).toBe(false);
      } finally {
        await harness.stop();
        await model.close();
      }
    }, 120_000);
  });
}
