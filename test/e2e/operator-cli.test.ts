/**
 * `wf`, the operator CLI, as a person runs it: the real bin against local mode (the Worker in
 * workerd via wrangler dev, the GitHub emulator), a real local-agent daemon with a fixture
 * agent, and a real webhook receiver on loopback for the notifications a person is sent.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bundled from "../../workspace.config.json";
import { LOCAL_SECRETS, startLocalMode, type LocalMode } from "../../scripts/dev.ts";
import { startNotificationSink, type NotificationSink } from "../support/notification-sink.ts";
import {
  agentToken,
  makeRepo,
  repoState,
  setBoardField,
  emulatorPost,
  wfIn,
  type WfResult,
} from "./support.ts";

const ORG = "phoenix-agentic";
const FRONTEND = `${ORG}/Phoenix-Agentic-Website-Frontend`;
const BACKEND = `${ORG}/Phoenix-Agentic-Engine-Backend`;
const SITE = `${ORG}/Phoenix-Agentic-Website-Backend`;
const INTERFACE = `${ORG}/Phoenix-Agentic-Engine-Interface`;

let mode: LocalMode;
let sink: NotificationSink;
let dir: string;
let daemon: ChildProcess;

const wf = (...args: string[]): Promise<WfResult> => wfIn(mode, dir, ...args);
const emulator = (path: string, body: unknown): Promise<unknown> => emulatorPost(mode, path, body);

const reconcile = () =>
  fetch(`${mode.workerUrl}/api/reconcile`, {
    method: "POST",
    headers: { authorization: `Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}` },
  });

const received = () => sink.received() as { text: string; workerFactory: { kind: string } }[];

beforeAll(async () => {
  sink = await startNotificationSink();
  dir = await mkdtemp(join(tmpdir(), "wf-operator-"));
  const config = {
    ...bundled,
    dispatch: { maxAttempts: 1, retryBaseSeconds: 1 },
    notifications: { webhookUrl: `${sink.url}/hook` },
  };
  mode = await startLocalMode({ port: 0, vars: { WORKSPACE_CONFIG: JSON.stringify(config) } });
  const { clone } = await makeRepo(dir);
  const agent = join(dir, "agent.sh");
  // Issue 51 fails at once; any other runs until it is stopped.
  await writeFile(
    agent,
    'case "$WORKER_FACTORY_ISSUE" in 51) echo "tests failed"; exit 1 ;; *) while true; do sleep 1; done ;; esac\n',
  );
  daemon = spawn(
    process.execPath,
    [
      "local-agent/cli.ts",
      ...[
        "--worker-url",
        mode.workerUrl,
        "--repo",
        SITE,
        "--clone",
        clone,
        "--run-folder",
        join(dir, "runs"),
      ],
      ...["--agent", "custom", "--agent-command", `sh ${agent}`, "--concurrency", "2"],
      ...["--lock-check", "off", "--agent-id", "operator-e2e"],
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WORKER_FACTORY_AGENT_TOKEN: await agentToken(mode, SITE) },
    },
  );
}, 180_000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
    // The daemon stops its runs and writes its state on the way out: wait for it.
    const exited = once(daemon, "exit");
    daemon.kill("SIGTERM");
    await exited;
  }
  await mode?.stop();
  await sink?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("wf status and explain", () => {
  it("shows one view across repos: the next QA, what waits and why, the budget", async () => {
    const { code, stdout } = await wf("status");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Workspace phoenix · project phoenix-agentic#1 · GitHub budget /);
    expect(stdout).toContain(`QA next: ${FRONTEND}#22 Header navigation for docs`);
    expect(stdout).toContain("  triage   #72  Investigate a flaky CI run — Missing Area: set Area to one of");
    const json = JSON.parse((await wf("status", "--json")).stdout) as { repos: unknown[] };
    expect(json.repos).toHaveLength(5);
  });

  it("explains why an item waits, naming the holder of its lock and how it holds it", async () => {
    await setBoardField(mode, `${BACKEND}#64`, "Status", "Ready");
    await expect
      .poll(async () => (await wf("explain", `${BACKEND}#64`)).stdout, { timeout: 20_000 })
      .toContain("Lock conflict: Issue #42 currently holds overlapping lock key(s).");
    const { stdout } = await wf("explain", `${BACKEND}#64`);
    expect(stdout).toContain("  Asks for     gateway (area lock in gateway)");
    expect(stdout).toContain(
      `  Held by      ${BACKEND}#42 Gateway: rate-limit the public API — gateway, through a person's claim by alice until 2099-01-01T00:00:00Z`,
    );
  });
});

describe("wf pause, resume and qa", () => {
  it("pauses every repo, says so once, and resumes them", async () => {
    const paused = await wf("pause", "--all");
    expect(paused.stdout.split("\n")).toHaveLength(5);
    expect(paused.stdout).toContain(`${FRONTEND}: dispatch paused`);
    expect((await wf("pause", FRONTEND)).stdout).toBe(`${FRONTEND}: already paused`);
    expect((await wf("resume", "--all")).stdout).toContain(`${FRONTEND}: dispatch resumed`);
  });

  it("shows what to QA next, records a pass for the current item, and answers a repeat as done", async () => {
    expect((await wf("qa", "next")).stdout).toContain(`now  ${FRONTEND}#22 Header navigation for docs`);
    expect(await wf("qa", "pass", "--note", "menu works")).toMatchObject({
      code: 0,
      stdout: `${FRONTEND}#22: QA passed: menu works`,
    });
    expect((await wf("qa", "pass", `${FRONTEND}#22`)).stdout).toBe(`${FRONTEND}#22: QA passed already`);
  });

  it("tells a person once that QA was waiting", () => {
    const qa = received().filter(
      (body) => body.workerFactory.kind === "qa_waiting" && body.text.includes("#22"),
    );
    expect(qa).toHaveLength(1);
    expect(qa[0]?.text).toMatch(
      /^\[Worker Factory · phoenix\] QA waiting: .*#22 "Header navigation for docs"/,
    );
  });
});

describe("wf steer, stop and retry on a live daemon", () => {
  it("adds context to an item's run by its name, once, and the agent's prompt file gets it", async () => {
    await emulator("issues", {
      repo: SITE,
      number: 50,
      title: "API: steer me",
      fields: { Status: "Ready", Area: "api" },
    });
    await expect
      .poll(async () => (await repoState(mode, SITE)).runs.find((run) => run.number === 50)?.state, {
        timeout: 30_000,
      })
      .toBe("running");
    const first = await wf("steer", `${SITE}#50`, "--text", "Keep the v1 endpoint working.");
    expect(first.stdout).toMatch(
      new RegExp(
        `^${SITE}#50: append_context sent to its agent \\(run \\S+-50-[0-9a-f]{16}, event operator-[0-9a-f]{16}\\)$`,
      ),
    );
    const repeat = await wf("steer", `${SITE}#50`, "--text", "Keep the v1 endpoint working.");
    expect(repeat.stdout).toMatch(/already sent .*; nothing sent again$/);
    const runId = (await repoState(mode, SITE)).runs.find((run) => run.number === 50)!.runId;
    await expect
      .poll(() => readFile(join(dir, "runs", runId, "prompt.md"), "utf8"), { timeout: 15_000 })
      .toContain("Keep the v1 endpoint working.");
  });

  it("stops an item's run with a reason", async () => {
    const runId = (await repoState(mode, SITE)).runs.find((run) => run.number === 50)!.runId;
    expect((await wf("stop", `${SITE}#50`)).code).toBe(2);
    expect((await wf("stop", `${SITE}#50`, "--reason", "wrong approach")).code).toBe(0);
    await expect
      .poll(async () => (await repoState(mode, SITE)).runs.find((run) => run.runId === runId)?.outcome, {
        timeout: 30_000,
      })
      .toBe("stopped");
  });

  it("says an item was parked after its retries, and unparks it on retry", async () => {
    await emulator("issues", {
      repo: SITE,
      number: 51,
      title: "Infra: always fails",
      fields: { Status: "Ready", Area: "infra" },
    });
    await expect
      .poll(async () => (await repoState(mode, SITE)).items.find((item) => item.number === 51)?.state, {
        timeout: 30_000,
      })
      .toBe("parked");
    expect((await wf("explain", `${SITE}#51`)).stdout).toContain("Parked after 1 of 1 attempts failed");
    expect((await reconcile()).status).toBe(200);
    await expect
      .poll(
        () =>
          received()
            .filter((body) => body.workerFactory.kind === "parked")
            .map((body) => body.text),
        { timeout: 10_000 },
      )
      .toEqual([expect.stringContaining(`Parked after its retries: ${SITE}#51 "Infra: always fails"`)]);
    const retry = await wf("retry", `${SITE}#51`);
    expect(retry.stdout).toBe(`${SITE}#51: unparked: attempts reset from 1 to 0, Status set to Ready`);
    await expect
      .poll(async () => (await repoState(mode, SITE)).runs.filter((run) => run.number === 51).length, {
        timeout: 30_000,
      })
      .toBe(2);
  });
});

describe("wf release, token and refusals", () => {
  it("shows a person's stale claim and releases it only when confirmed", async () => {
    await setBoardField(mode, `${INTERFACE}#6`, "Claim Owner", "bob");
    await setBoardField(mode, `${INTERFACE}#6`, "Lease Expires", "2026-01-01T00:00:00Z");
    await reconcile();
    expect((await wf("status", INTERFACE)).stdout).toContain(
      `  stale    #6  claim by bob, lease passed 2026-01-01T00:00:00Z — wf release ${INTERFACE}#6`,
    );
    const unconfirmed = await wf("release", `${INTERFACE}#6`);
    expect([unconfirmed.code, unconfirmed.stderr]).toEqual([
      2,
      `wf release: no terminal to confirm on: pass --yes to release bob's claim on ${INTERFACE}#6`,
    ]);
    const released = await wf("release", `${INTERFACE}#6`, "--yes");
    expect(released.stdout).toBe(
      `${INTERFACE}#6: cleared Claim Owner bob, Lease Expires 2026-01-01T00:00:00Z`,
    );
    await expect
      .poll(() => received().filter((body) => body.workerFactory.kind === "stale_claim").length, {
        timeout: 10_000,
      })
      .toBe(1);
  });

  it("prints a repo's agent token for its daemon, and refuses an unknown repo with exit 1", async () => {
    const token = await wf("token", `${ORG}/Phoenix-Agentic-Engine`);
    expect(token).toMatchObject({ code: 0, stdout: await agentToken(mode, `${ORG}/Phoenix-Agentic-Engine`) });
    expect(await wf("token", "nobody/nothing")).toMatchObject({
      code: 1,
      stderr: "wf token: repository nobody/nothing is not in the workspace (HTTP 404)",
    });
  });

  it("exits 4 on a wrong admin token and 2 on a malformed item, as gh does", async () => {
    expect(await wf("status", "--token", "wrong")).toMatchObject({
      code: 4,
      stderr: "wf status: admin token required (HTTP 401)",
    });
    expect(await wf("explain", "not-an-item")).toMatchObject({
      code: 2,
      stderr: 'wf explain: "not-an-item" is not an item; expected owner/repo#N',
    });
  });

  it("tells a person once when the GitHub budget runs low", async () => {
    await emulator("rate-limit", { remaining: 120 });
    await reconcile();
    await reconcile();
    await expect
      .poll(
        () =>
          received()
            .filter((body) => body.workerFactory.kind === "low_budget")
            .map((body) => body.text),
        { timeout: 10_000 },
      )
      .toEqual([
        expect.stringMatching(/^\[Worker Factory · phoenix\] GitHub budget low: \d+ of 5000 points left/),
      ]);
  });
});
