/**
 * Issue 11's "done when", end to end: a person comments on an item while its agent is at work,
 * and the agent reads the comment at its next step, without a restart — for the real Claude
 * Code and the real Codex CLI from npm, each pointed at a scripted model endpoint on loopback,
 * run by the real daemon for the real Worker (wrangler dev) with the emulator's board.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sign } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_SECRETS, startLocalMode, type LocalMode } from "../../scripts/dev.ts";
import { CLAUDE_BIN, claudeAgentEnv, CODEX_BIN, MODEL_KEY, writeCodexHome } from "../support/real-agents.ts";
import { startScriptedModelServer, type ScriptedModelServer } from "../support/scripted-model-server.ts";
import { agentToken, makeRepo, repoState } from "./support.ts";

const AGENTS = {
  claude: { repo: "phoenix-agentic/Phoenix-Agentic-Website-Frontend", number: 21 },
  codex: { repo: "phoenix-agentic/Phoenix-Agentic-Engine", number: 12 },
} as const;
type Kind = keyof typeof AGENTS;

/** The agent's first tool call: say it runs, then wait (capped at 30 s) for the test's release. */
const WAITING_TOOL = [
  "echo running > ../tool-running",
  "i=0; while [ ! -e ../release ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done",
  "echo released",
].join("; ");
const commitTool = (kind: Kind): string =>
  [
    "mkdir -p notes",
    `echo "${kind} read the comment" > notes/${kind}.md`,
    `git add notes/${kind}.md`,
    `git commit -q -m "docs: ${kind} followed the comment"`,
    "git push -q -u origin HEAD",
    "echo pushed",
  ].join(" && ");

const persistTo = `.wrangler/test-comment-steer-${process.pid}`;
let mode: LocalMode;
let dir: string;
const daemons: ChildProcess[] = [];
const models = new Map<Kind, ScriptedModelServer>();
const output: string[] = [];

async function startDaemon(kind: Kind): Promise<void> {
  const { repo } = AGENTS[kind];
  const model = await startScriptedModelServer({
    steps: [
      { command: WAITING_TOOL },
      { command: commitTool(kind) },
      { message: "Done, as the comment asked." },
    ],
  });
  models.set(kind, model);
  const { clone } = await makeRepo(join(dir, kind));
  const agentArgs =
    kind === "claude"
      ? ["--agent", "claude", "--agent-bin", CLAUDE_BIN, ...env(claudeAgentEnv(model))]
      : [
          ...["--agent", "codex", "--agent-bin", CODEX_BIN],
          ...["--agent-home-template", await writeCodexHome(join(dir, kind), model)],
          ...env({ SCRIPTED_MODEL_KEY: MODEL_KEY }),
        ];
  const child = spawn(
    process.execPath,
    [
      "local-agent/cli.ts",
      ...["--worker-url", mode.workerUrl, "--repo", repo, "--clone", clone],
      ...["--run-folder", join(dir, kind, "runs"), "--agent-timeout", "180", "--lock-check", "off"],
      ...["--agent-id", `comment-${kind}`],
      ...agentArgs,
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH,
        LANG: "C.UTF-8",
        WORKER_FACTORY_AGENT_TOKEN: await agentToken(mode, repo),
      },
    },
  );
  child.stdout?.on("data", (chunk: Buffer) => output.push(`[${kind}] ${chunk.toString("utf8")}`));
  child.stderr?.on("data", (chunk: Buffer) => output.push(`[${kind}] ${chunk.toString("utf8")}`));
  daemons.push(child);
}

function env(values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([key, value]) => ["--agent-env", `${key}=${value}`]);
}

/** The run folder of the item's run, once its agent's first tool call is running. */
function runningRunDir(kind: Kind): string | undefined {
  const runs = join(dir, kind, "runs");
  if (!existsSync(runs)) return undefined;
  return readdirSync(runs)
    .map((name) => join(runs, name))
    .find((folder) => existsSync(join(folder, "tool-running")));
}

async function comment(kind: Kind, body: string): Promise<void> {
  const { repo, number } = AGENTS[kind];
  const payload = JSON.stringify({
    action: "created",
    issue: { number, node_id: `I_${number}` },
    comment: { id: Date.now(), body, user: { login: "alice" } },
    repository: { full_name: repo },
    sender: { login: "alice" },
  });
  const response = await fetch(`${mode.workerUrl}/webhooks/github`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "issue_comment",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": await sign(LOCAL_SECRETS.GITHUB_WEBHOOK_SECRET, payload),
    },
    body: payload,
  });
  expect(response.status).toBe(202);
}

beforeAll(async () => {
  mode = await startLocalMode({ port: 0, persistTo });
  dir = await mkdtemp(join(tmpdir(), "wf-comment-steer-"));
  for (const kind of Object.keys(AGENTS) as Kind[]) await startDaemon(kind);
}, 180_000);

afterAll(async () => {
  for (const child of daemons) child.kill("SIGTERM");
  await Promise.all(daemons.map((child) => new Promise((resolve) => child.once("exit", resolve))));
  await mode?.stop();
  for (const model of models.values()) await model.close();
  await rm(persistTo, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

for (const kind of Object.keys(AGENTS) as Kind[]) {
  const name = kind === "claude" ? "Claude Code" : "Codex";
  describe(`a person's comment on an item ${name} is working on`, () => {
    it("reaches the session's next model request without a restart, and the run goes on to its commit", async () => {
      const { repo, number } = AGENTS[kind];
      const model = models.get(kind)!;
      const token = `COMMENT-${kind.toUpperCase()}-${process.pid}`;
      let runDir: string | undefined;
      await expect
        .poll(() => (runDir = runningRunDir(kind)), { timeout: 120_000, interval: 250 })
        .toBeDefined();

      await comment(kind, `Please also mention ${token} in the notes.`);
      // The daemon says the steer reached the live session (not a restart).
      await expect
        .poll(
          async () => {
            const response = await fetch(`${mode.workerUrl}/api/state`, {
              headers: { authorization: `Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}` },
            });
            const { metaQueue } = (await response.json()) as {
              metaQueue: { kind: string; repo: string; detail: string }[];
            };
            return metaQueue.find((entry) => entry.kind === "steer_effect" && entry.repo === repo)?.detail;
          },
          { timeout: 60_000, interval: 250 },
        )
        .toMatch(/: delivered/);
      writeFileSync(join(runDir!, "release"), "go");

      const carrying = await model.waitForRequest((request) => request.text.includes(token), 90_000);
      // The same conversation: the request that carries the comment also carries the tool's output.
      expect(carrying.text, output.join("")).toContain("released");
      expect(carrying.text).toContain("@alice");
      await expect
        .poll(async () => (await repoState(mode, repo)).runs.find((r) => r.number === number)?.outcome, {
          timeout: 120_000,
          interval: 500,
        })
        .toBe("succeeded");
      // One session from start to end: no second task prompt reached the model.
      const prompts = model.requests.filter(
        (request) => request.api !== null && !request.text.includes("released"),
      );
      expect(prompts.filter((request) => request.text.includes(token))).toEqual([]);
    }, 300_000);
  });
}
