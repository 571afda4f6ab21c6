/**
 * A daemon killed with SIGKILL mid-run: its lease expires in the RepoQueue, the lock is
 * released on the board, the item is requeued and dispatched again once an agent is back,
 * and a late frame carrying the old fence is refused. Then a failed attempt's retry goes out
 * when its backoff passes, with nothing else happening. Real Worker, emulator, daemon and git.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import bundled from "../../workspace.config.json";
import { startLocalMode, type LocalMode } from "../../scripts/dev.ts";
import { agentToken, emulatorPost, makeRepo, repoState, type RunView } from "./support.ts";

const FRONTEND = "phoenix-agentic/Phoenix-Agentic-Website-Frontend";
const persistTo = `.wrangler/test-lease-${process.pid}`;
const RETRY_BASE_SECONDS = 1;
let mode: LocalMode;
let dir: string;
let token: string;
const daemons: ChildProcess[] = [];

async function runs(): Promise<RunView[]> {
  return (await repoState(mode, FRONTEND)).runs;
}

function startDaemon(agentCommand: string): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      "local-agent/cli.ts",
      ...["--worker-url", mode.workerUrl, "--repo", FRONTEND, "--clone", join(dir, "clone")],
      ...["--run-folder", join(dir, "runs"), "--agent", "custom", "--agent-command", agentCommand],
      ...["--lock-check", "off", "--agent-id", "lease-agent"],
    ],
    {
      stdio: ["ignore", "ignore", "ignore"],
      env: { ...process.env, WORKER_FACTORY_AGENT_TOKEN: token },
      detached: true,
    },
  );
  daemons.push(child);
  return child;
}

beforeAll(async () => {
  const config = {
    ...bundled,
    lease: { durationSeconds: 30, heartbeatSeconds: 2 },
    dispatch: { maxAttempts: 4, retryBaseSeconds: RETRY_BASE_SECONDS },
  };
  mode = await startLocalMode({ port: 0, persistTo, vars: { WORKSPACE_CONFIG: JSON.stringify(config) } });
  dir = await mkdtemp(join(tmpdir(), "wf-lease-"));
  const { origin } = await makeRepo(dir);
  // The emulator serves the origin's branches, so that the succeeded run's PR opens.
  await emulatorPost(mode, "git/link", { repo: FRONTEND, gitDir: origin, hook: true });
  token = await agentToken(mode, FRONTEND);
}, 180_000);

afterAll(async () => {
  for (const child of daemons) {
    try {
      process.kill(-(child.pid ?? 0), "SIGKILL");
    } catch {
      // already gone
    }
  }
  await mode?.stop();
  await rm(persistTo, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a daemon killed mid-run", () => {
  it("loses its lease, its item is requeued and dispatched again, and its old fence is refused", async () => {
    const first = startDaemon(`sh ${resolve("test/local-agent/fixtures/hang.sh")}`);
    await expect
      .poll(async () => (await runs()).find((r) => r.number === 21)?.state, {
        timeout: 60_000,
        interval: 500,
      })
      .toBe("running");
    const lost = (await runs()).find((r) => r.number === 21)!;

    process.kill(-(first.pid ?? 0), "SIGKILL");
    await expect
      .poll(async () => (await runs()).find((r) => r.runId === lost.runId)?.outcome, {
        timeout: 90_000,
        interval: 1000,
      })
      .toBe("expired");

    // A late heartbeat from the dead run, with its old fence and its own secret (kept in the
    // dead daemon's state file), is refused as stale; without the secret, as unauthorized.
    const state = JSON.parse(await readFile(join(dir, "runs", "daemon-state.json"), "utf8")) as {
      capabilities: { runId: string; runSecret: string }[];
    };
    const runSecret = state.capabilities.find((c) => c.runId === lost.runId)?.runSecret;
    expect(runSecret).toEqual(expect.any(String));
    const socket = new WebSocket(`${mode.workerUrl.replace("http", "ws")}/agents/connect?repo=${FRONTEND}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await once(socket, "open");
    const replies: unknown[] = [];
    socket.on("message", (data) => replies.push(JSON.parse(String(data))));
    socket.send(JSON.stringify({ type: "hello", v: 1, agentId: "ghost", capacity: 0, runs: [] }));
    const late = { type: "heartbeat", runId: lost.runId, fence: lost.fence };
    socket.send(JSON.stringify({ ...late, id: "late-1", runSecret }));
    socket.send(JSON.stringify({ ...late, id: "late-2" }));
    await expect
      .poll(() => replies.find((r) => (r as { id?: string }).id === "late-1"), { timeout: 10_000 })
      .toMatchObject({ type: "reply", ok: false, error: "stale_fence" });
    await expect
      .poll(() => replies.find((r) => (r as { id?: string }).id === "late-2"), { timeout: 10_000 })
      .toMatchObject({ type: "reply", ok: false, error: "unauthorized" });
    socket.close();
  }, 240_000);

  it("retries a failed attempt when its backoff has passed, with no other event, and the retry succeeds", async () => {
    const lost = (await runs()).find((r) => r.number === 21 && r.outcome === "expired")!;
    // The agent fails its first run of #21, then commits: the failure's retry is due
    // RETRY_BASE_SECONDS * 2^(attempt - 1) after it, and nothing else happens meanwhile.
    startDaemon(
      `sh ${resolve("test/local-agent/fixtures/fail-once.sh")} {promptFile} ${join(dir, "markers")}`,
    );
    await expect
      .poll(async () => (await runs()).find((r) => r.number === 21 && r.fence > lost.fence)?.outcome, {
        timeout: 60_000,
        interval: 500,
      })
      .toBe("failed");
    const failed = (await runs()).find((r) => r.number === 21 && r.fence > lost.fence)!;
    await expect
      .poll(async () => (await runs()).find((r) => r.number === 21 && r.fence > failed.fence)?.outcome, {
        timeout: 60_000,
        interval: 500,
      })
      .toBe("succeeded");
    const retry = (await runs()).find((r) => r.number === 21 && r.fence > failed.fence)!;
    const backoffMs = RETRY_BASE_SECONDS * 1000 * 2 ** (failed.attempt - 1);
    expect(retry.startedAt).toBeGreaterThanOrEqual((failed.finishedAt ?? 0) + backoffMs);
    // With its PR open and nothing else to do, the RepoQueue keeps only its journal pruning
    // and the QA escalation of #21 and #22, hours away: the alarm does not wake it for nothing.
    await expect
      .poll(async () => (await repoState(mode, FRONTEND)).agenda.map((entry) => entry.kind))
      .toEqual(["prune", "qa-timeout"]);
    const { agenda, alarm } = await repoState(mode, FRONTEND);
    expect(alarm).toBe(agenda[0]?.due);
    expect((alarm ?? 0) - Date.now()).toBeGreaterThan(60 * 60 * 1000);
  }, 180_000);
});
