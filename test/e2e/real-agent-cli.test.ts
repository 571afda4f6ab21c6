/**
 * The built-in `codex` template on its one-shot channel (`codex exec`) against the real Codex CLI
 * (npm `@openai/codex`): local mode, the real daemon process, real git, and Codex pointed at a
 * scripted model endpoint on loopback through a config.toml in `--agent-home-template`. Codex
 * runs the scripted shell command that commits and pushes, then ends its turn.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalMode, type LocalMode } from "../../scripts/dev.ts";
import { CODEX_BIN, MODEL_KEY, writeCodexHome } from "../support/real-agents.ts";
import {
  startScriptedModelServer,
  userText,
  type ScriptedModelServer,
} from "../support/scripted-model-server.ts";
import { agentToken, git, makeRepo, repoState } from "./support.ts";

const FRONTEND = "phoenix-agentic/Phoenix-Agentic-Website-Frontend";
const BRANCH = "subfeature/task/21-pricing-page";
const persistTo = `.wrangler/test-real-agent-cli-${process.pid}`;
let mode: LocalMode;
let model: ScriptedModelServer;
let dir: string;
let daemon: ChildProcess;
const daemonOutput: string[] = [];

/** What went on, for a failure message: the daemon's last lines and the model's answers. */
const diagnostics = (): string =>
  [
    "daemon output (last 40 lines):",
    ...daemonOutput.join("").split("\n").slice(-40),
    `model server answers: ${JSON.stringify(model.requests.map((r) => `${r.method} ${r.path}: ${r.answer}`))}`,
  ].join("\n");

beforeAll(async () => {
  model = await startScriptedModelServer({
    command: [
      "mkdir -p notes",
      'echo "Codex ran issue $WORKER_FACTORY_ISSUE" > notes/codex.md',
      "git add notes/codex.md",
      'git commit -q -m "docs: codex was here"',
      "git push -q -u origin HEAD",
      "echo pushed",
    ].join(" && "),
    finalMessage: "Wrote notes/codex.md, committed and pushed it.",
  });
  mode = await startLocalMode({ port: 0, persistTo });
  dir = await mkdtemp(join(tmpdir(), "wf-real-agent-"));
  const { clone } = await makeRepo(dir);

  const codexHome = await writeCodexHome(dir, model);

  const token = await agentToken(mode, FRONTEND);
  daemon = spawn(
    process.execPath,
    [
      "local-agent/cli.ts",
      "--worker-url",
      mode.workerUrl,
      "--repo",
      FRONTEND,
      "--clone",
      clone,
      "--run-folder",
      join(dir, "runs"),
      "--agent",
      "codex",
      // The one-shot `codex exec` channel (a user's choice); the live channels have their own tests.
      "--agent-channel",
      "one-shot",
      "--agent-bin",
      CODEX_BIN,
      "--agent-home-template",
      codexHome,
      "--agent-env",
      `SCRIPTED_MODEL_KEY=${MODEL_KEY}`,
      "--agent-timeout",
      "180",
      "--lock-check",
      "off",
      "--agent-id",
      "e2e-codex",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WORKER_FACTORY_AGENT_TOKEN: token } },
  );
  daemon.stdout?.on("data", (chunk: Buffer) => daemonOutput.push(chunk.toString("utf8")));
  daemon.stderr?.on("data", (chunk: Buffer) => daemonOutput.push(chunk.toString("utf8")));
}, 180_000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
    const exited = new Promise<void>((done) => daemon.once("exit", () => done()));
    daemon.kill("SIGTERM");
    const timer = setTimeout(() => daemon.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
  await mode?.stop();
  await model?.close();
  await rm(persistTo, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe("the built-in codex template with the real Codex CLI, one-shot (codex exec)", () => {
  it("finishes the dispatched Ready item's run as succeeded", async () => {
    const outcome = async (): Promise<string | null | undefined> =>
      (await repoState(mode, FRONTEND)).runs.find((r) => r.number === 21)?.outcome;
    try {
      await expect.poll(outcome, { timeout: 120_000, interval: 500 }).toEqual(expect.any(String));
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${diagnostics()}`, {
        cause: error,
      });
    }
    expect(await outcome(), diagnostics()).toBe("succeeded");
  }, 150_000);

  it("leaves Codex's commit on the item's branch on the origin", async () => {
    const origin = join(dir, "origin.git");
    expect(await git(origin, "log", "--format=%s", BRANCH)).toBe(
      "docs: codex was here\nchore: initial commit",
    );
    expect(await git(origin, "show", `${BRANCH}:notes/codex.md`)).toBe("Codex ran issue 21");
  });

  it("sends the model the prompt built from the run's prompt file, then the command's output", () => {
    expect(model.requests.map((r) => `${r.method} ${r.path} ${r.answer}`)).toEqual([
      "POST /v1/responses tool_call",
      "POST /v1/responses final_message",
    ]);
    const [first, second] = model.requests;
    expect(first?.authorization).toBe(`Bearer ${MODEL_KEY}`);
    const prompt = first?.body ? userText(first.body) : "";
    expect(prompt).toContain(`# Task: ${FRONTEND}#21\n`);
    // The issue's own title is quoted as data, below the task and the duties.
    expect(prompt).toMatch(/## The issue's text\n[^]*### Title\n\n```text\nPricing page/);
    expect(prompt).toContain(`Branch: \`${BRANCH}\``);
    const output = second?.body?.input.find((item) => item.type === "function_call_output");
    expect(JSON.stringify(output)).toContain("pushed");
  });
});
