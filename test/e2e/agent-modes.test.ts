/**
 * The three execution modes of `Agent Mode`, end to end with real parts: local mode (the
 * emulator and the Worker in workerd), a real local-agent daemon with a free slot, and `wf`.
 * A `local-ide` item is never dispatched and a person's terminal claim binds the gate; a
 * `cloud` item is assigned to GitHub's Copilot coding agent under Claim Owner `copilot`, its
 * lock held until Copilot's session fails, and then released.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bundled from "../../workspace.config.json";
import { startLocalMode, type LocalMode } from "../../scripts/dev.ts";
import {
  agentToken,
  boardField,
  makeRepo,
  repoState,
  setBoardField,
  emulatorPost,
  wfIn,
  type WfResult,
} from "./support.ts";

const ORG = "phoenix-agentic";
const FRONTEND = `${ORG}/Phoenix-Agentic-Website-Frontend`;
const SITE = `${ORG}/Phoenix-Agentic-Website-Backend`;

let mode: LocalMode;
let dir: string;
let daemon: ChildProcess;

const wf = (...args: string[]): Promise<WfResult> => wfIn(mode, dir, ...args);
const emulator = (path: string, body: unknown): Promise<unknown> => emulatorPost(mode, path, body);

interface Session {
  issueId: string;
  state: string;
  assignedBy: string;
}

const sessions = async (): Promise<Session[]> =>
  (await (await fetch(`${mode.emulatorUrl}/_emulator/copilot/sessions`)).json()) as Session[];

const runsOf = async (repo: string, number: number) =>
  (await repoState(mode, repo)).runs.filter((run) => run.number === number);
const itemOf = async (repo: string, number: number) =>
  (await repoState(mode, repo)).items.find((item) => item.number === number);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wf-modes-"));
  // One attempt: a failed Copilot session parks its item rather than assigning it again.
  const config = { ...bundled, dispatch: { maxAttempts: 1, retryBaseSeconds: 1 } };
  mode = await startLocalMode({ port: 0, vars: { WORKSPACE_CONFIG: JSON.stringify(config) } });
  const { clone } = await makeRepo(dir);
  const agent = join(dir, "agent.sh");
  // Every run works until it is stopped: the daemon's second slot stays free for what may come.
  await writeFile(agent, "while true; do sleep 1; done\n");
  daemon = spawn(
    process.execPath,
    [
      "local-agent/cli.ts",
      ...["--worker-url", mode.workerUrl, "--repo", FRONTEND, "--clone", clone],
      ...["--run-folder", join(dir, "runs"), "--agent", "custom", "--agent-command", `sh ${agent}`],
      ...["--concurrency", "3", "--lock-check", "off", "--agent-id", "modes-e2e"],
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WORKER_FACTORY_AGENT_TOKEN: await agentToken(mode, FRONTEND) },
    },
  );
}, 180_000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
    const exited = once(daemon, "exit");
    daemon.kill("SIGTERM");
    await exited;
  }
  await mode?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a local-ide item and a person's claim from the terminal", () => {
  it("never dispatches a local-ide item, though the repo's agent has a free slot", async () => {
    await emulator("issues", {
      repo: FRONTEND,
      number: 40,
      title: "Hero artwork, drawn by hand",
      fields: { Status: "Ready", Area: "public", "Lock Scope": "area", "Agent Mode": "local-ide" },
    });
    // #21 (cli, Ready in the seed) is dispatched to the same daemon: it takes work.
    await expect
      .poll(async () => (await runsOf(FRONTEND, 21))[0]?.state, { timeout: 60_000 })
      .toBe("running");
    await expect
      .poll(async () => (await itemOf(FRONTEND, 40))?.verdict, { timeout: 20_000 })
      .toBe("local_ide");
    expect((await itemOf(FRONTEND, 40))?.reason).toMatch(/^Agent Mode is local-ide: a person claims it/);
    expect(await runsOf(FRONTEND, 40)).toEqual([]);
    expect(await boardField(mode, `${FRONTEND}#40`, "Claim Owner")).toBeNull();
  });

  it("claims it with `wf claim`, and the claim blocks an overlapping item from the dispatcher and from a second person", async () => {
    const claimed = await wf("claim", `${FRONTEND}#40`, "--as", "bob");
    expect(claimed.code).toBe(0);
    expect(claimed.stdout).toMatch(
      new RegExp(`^${FRONTEND}#40: claimed by bob — Status In Progress, Lock Key public`),
    );
    expect(claimed.stdout).toContain("commit and push your base branch");
    expect(await boardField(mode, `${FRONTEND}#40`, "Claim Owner")).toBe("bob");
    expect(await boardField(mode, `${FRONTEND}#40`, "Lock Key")).toBe("public");

    await emulator("issues", {
      repo: FRONTEND,
      number: 41,
      title: "Compress the public images",
      fields: { Status: "Ready", Area: "public", "Lock Scope": "area", "Agent Mode": "cli" },
    });
    await expect
      .poll(async () => (await itemOf(FRONTEND, 41))?.reason, { timeout: 20_000 })
      .toBe("Lock conflict: Issue #40 currently holds overlapping lock key(s).");
    expect(await runsOf(FRONTEND, 41)).toEqual([]);

    const second = await wf("claim", `${FRONTEND}#41`, "--as", "carol");
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain("Lock conflict: Issue #40 currently holds overlapping lock key(s).");
    expect(await boardField(mode, `${FRONTEND}#41`, "Claim Owner")).toBeNull();
  });

  it("renews only the owner's claim, and `wf unclaim` lets the waiting item go to the agent", async () => {
    const other = await wf("renew", `${FRONTEND}#40`, "--as", "carol");
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain("is claimed by bob, not carol");
    const before = await boardField(mode, `${FRONTEND}#40`, "Lease Expires");
    const renewed = await wf("renew", `${FRONTEND}#40`, "--as", "bob", "--lease", "10h");
    expect(renewed.code).toBe(0);
    expect(renewed.stdout).toContain(`lease moved on from ${before}`);

    const released = await wf("unclaim", `${FRONTEND}#40`, "--as", "bob");
    expect(released.code).toBe(0);
    expect(released.stdout).toMatch(new RegExp(`^${FRONTEND}#40: released: cleared `));
    expect(await boardField(mode, `${FRONTEND}#40`, "Lock Key")).toBeNull();
    await expect
      .poll(async () => (await runsOf(FRONTEND, 41))[0]?.state, { timeout: 30_000 })
      .toBe("running");
    expect(await runsOf(FRONTEND, 40)).toEqual([]);
  });
});

describe("a cloud item", () => {
  it("is assigned to GitHub's Copilot coding agent, whose claim holds the item's lock", async () => {
    // #8 (api, Agent Mode cloud) waits in Backlog in the seed; no daemon serves this repo.
    await setBoardField(mode, `${SITE}#8`, "Status", "Ready");
    // The run is "dispatched" once GitHub answered the assignment (the session starts then).
    await expect.poll(async () => (await runsOf(SITE, 8))[0]?.state, { timeout: 30_000 }).toBe("dispatched");
    expect(await sessions()).toMatchObject([{ state: "WORKING" }]);
    expect(await boardField(mode, `${SITE}#8`, "Claim Owner")).toBe("copilot");
    expect(await boardField(mode, `${SITE}#8`, "Lock Key")).toBe("api");
    expect(await boardField(mode, `${SITE}#8`, "Status")).toBe("In Progress");

    await emulator("issues", {
      repo: SITE,
      number: 60,
      title: "API: list invoices",
      fields: { Status: "Ready", Area: "api", "Lock Scope": "area", "Agent Mode": "cli" },
    });
    await expect
      .poll(async () => (await itemOf(SITE, 60))?.reason, { timeout: 20_000 })
      .toBe("Lock conflict: Issue #8 currently holds overlapping lock key(s).");
  });

  it("releases the lock and reports the reason when Copilot's session fails", async () => {
    await emulator("copilot/fail", { issue: `${SITE}#8`, reason: "the tests would not build" });
    await expect.poll(async () => (await runsOf(SITE, 8))[0]?.outcome, { timeout: 30_000 }).toBe("failed");
    expect((await runsOf(SITE, 8))[0]?.reason).toContain("the tests would not build");
    expect(await boardField(mode, `${SITE}#8`, "Claim Owner")).toBeNull();
    expect(await boardField(mode, `${SITE}#8`, "Lock Key")).toBeNull();
    await expect.poll(async () => (await itemOf(SITE, 8))?.verdict, { timeout: 20_000 }).toBe("parked");
    // The lock it held is free: the waiting item is runnable now.
    await expect
      .poll(async () => (await itemOf(SITE, 60))?.reason, { timeout: 20_000 })
      .toBe("Runnable; no agent connected for this repo.");
    expect(await sessions()).toHaveLength(1);
  });
});
