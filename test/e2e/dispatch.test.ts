/**
 * Dispatch end to end with real parts: the GitHub emulator, the Worker in workerd
 * (wrangler dev), the real local-agent daemon process, real git (a bare origin and a clone),
 * and a demo agent that commits in its worktree.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bundled from "../../workspace.config.json";
import { BoardClient } from "../../worker/board/board-client.ts";
import type { BoardItem } from "../../worker/board/board-item.ts";
import { parseWorkspaceConfig } from "../../worker/config/workspace-config.ts";
import { LOCAL_SECRETS, startLocalMode, type LocalMode } from "../../scripts/dev.ts";
import { agentToken, emulatorPost, git, makeRepo, repoState as state, type RepoView } from "./support.ts";

const FRONTEND = "phoenix-agentic/Phoenix-Agentic-Website-Frontend";
const persistTo = `.wrangler/test-dispatch-${process.pid}`;
let mode: LocalMode;
let dir: string;
let daemon: ChildProcess;
let board: BoardClient;

const repoState = (): Promise<RepoView> => state(mode, FRONTEND);

async function boardItem(number: number): Promise<BoardItem | undefined> {
  return (await board.listItems()).find((item) => item.repo === FRONTEND && item.number === number);
}

beforeAll(async () => {
  mode = await startLocalMode({ port: 0, persistTo });
  board = new BoardClient({
    config: parseWorkspaceConfig(bundled),
    auth: { token: LOCAL_SECRETS.GITHUB_TOKEN },
    apiUrl: mode.emulatorUrl,
  });
  // A second Ready item in the same area as #21: it must wait for #21's lock.
  const created = await fetch(`${mode.emulatorUrl}/_emulator/issues`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      repo: FRONTEND,
      number: 30,
      title: "Pricing page: annual plans",
      fields: {
        Status: "Ready",
        Area: "app/pages",
        "Lock Scope": "area",
        Priority: "P3",
        "Agent Mode": "cli",
      },
    }),
  });
  expect(created.status).toBeLessThan(300);

  dir = await mkdtemp(join(tmpdir(), "wf-dispatch-"));
  const { origin, clone } = await makeRepo(dir);
  // The emulator serves this origin's branches (its pushes reach it by a hook, as GitHub's).
  await emulatorPost(mode, "git/link", { repo: FRONTEND, gitDir: origin, hook: true });
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
      "custom",
      "--agent-command",
      `sh ${resolve("local-agent/examples/demo-agent.sh")} {promptFile}`,
      "--concurrency",
      "2",
      "--lock-check",
      "board",
      "--github-token",
      LOCAL_SECRETS.GITHUB_TOKEN,
      "--github-api-url",
      mode.emulatorUrl,
      "--workspace-config",
      resolve("workspace.config.json"),
      "--agent-id",
      "e2e-agent",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WORKER_FACTORY_AGENT_TOKEN: token } },
  );
}, 180_000);

afterAll(async () => {
  daemon?.kill("SIGTERM");
  await mode?.stop();
  await rm(persistTo, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("dispatch to a local agent", () => {
  it("runs a Ready item in a new worktree on its own branch, then asks for QA, holding its lock", async () => {
    await expect
      .poll(async () => (await repoState()).runs.find((r) => r.number === 21)?.outcome, {
        timeout: 60_000,
        interval: 500,
      })
      .toBe("succeeded");
    const branches = await git(join(dir, "origin.git"), "branch", "--list", "subfeature/task/21-*");
    expect(branches).toContain("subfeature/task/21-pricing-page");
    const log = await git(join(dir, "origin.git"), "log", "--format=%s", "subfeature/task/21-pricing-page");
    expect(log.split("\n")[0]).toBe("feat: demo change for issue 21");

    const item = await boardItem(21);
    // app/pages is a medium-risk area: the change waits for a person's QA, holding its area
    // (locks follow the code until its PR is merged); only the run's lease fields go.
    expect(item?.fields).toMatchObject({
      status: "QA Required",
      lockKey: "app/pages",
      claimOwner: "worker-factory/e2e-agent",
      leaseExpires: null,
      lastHeartbeat: null,
    });
  });

  it("holds back the item that conflicted with it through QA and review, then runs it once the PR is merged", async () => {
    // The PR is open (its repo facts read once, the tier label created with it).
    await expect.poll(openPr, { timeout: 30_000 }).not.toBeNull();
    const readsBefore = await workerReads();
    const since = Date.now();
    await expect
      .poll(async () => (await repoState()).items.find((i) => i.number === 30)?.reason, { timeout: 30_000 })
      .toBe("Lock conflict: Issue #21 currently holds overlapping lock key(s).");
    const verdict = await fetch(`${mode.workerUrl}/api/qa/verdict`, {
      method: "POST",
      headers: { authorization: `Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ repo: FRONTEND, number: 21, verdict: "pass" }),
    });
    expect(verdict.status).toBe(200);
    expect((await boardItem(21))?.fields).toMatchObject({ status: "In Review", lockKey: "app/pages" });
    expect((await repoState()).items.find((i) => i.number === 30)?.reason).toBe(
      "Lock conflict: Issue #21 currently holds overlapping lock key(s).",
    );
    // A person merges it (the required check passed first).
    const pr = await openPr();
    await emulatorPost(mode, "checks", {
      repo: FRONTEND,
      pullRequest: pr,
      name: "ci",
      conclusion: "success",
    });
    await emulatorPost(mode, "pull-requests/merge", {
      pullRequest: `${FRONTEND}#${pr}`,
      actor: "phoenix-human",
    });
    await expect
      .poll(async () => (await repoState()).runs.find((r) => r.number === 30)?.outcome, {
        timeout: 60_000,
        interval: 500,
      })
      .toBe("succeeded");
    const { runs } = await repoState();
    const first = runs.find((r) => r.number === 21);
    const second = runs.find((r) => r.number === 30);
    expect(first?.finishedAt).not.toBeNull();
    expect(second!.startedAt).toBeGreaterThan(first!.finishedAt!);
    expect((await boardItem(21))?.fields).toMatchObject({ status: "Done", lockKey: null, claimOwner: null });
    expect(second!.fence).toBeGreaterThan(first!.fence);
    expect((await boardItem(30))?.fields.lockKey).toBe("app/pages");

    // The QA verdict, the merge, #30's claim, its PR and the webhooks echoing all of them
    // were applied without the Worker reading anything from GitHub.
    await settled();
    expect(await workerReads()).toEqual(readsBefore);
    // And as GitHub's side saw it: no item, scan or dependency read in that window, only the
    // board writes and #30's PR (opened and decorated; the repo's merge facts kept). (The full
    // reads there are the daemon's lock re-check and this test's own look at the board.)
    const requests = (await (
      await fetch(`${mode.emulatorUrl}/_emulator/requests?since=${since}`)
    ).json()) as {
      operation: string;
    }[];
    const reads = requests.map((r) => r.operation).filter((op) => op !== "BoardItemsPage");
    const writes = ["BoardFieldUpdates", "BoardItemReadBack", "OpenPullRequest", "DecoratePullRequest"];
    expect(reads.filter((op) => !writes.includes(op))).toEqual([]);
  });
});

/** The Worker's own GitHub reads so far, by kind (its writes and read-backs left out). */
async function workerReads(): Promise<Record<string, number>> {
  const response = await fetch(`${mode.workerUrl}/api/state`, {
    headers: { authorization: `Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}` },
  });
  const { budget } = (await response.json()) as { budget: { byKind: Record<string, { calls: number }> } };
  const writes = new Set([
    ...["claim", "read back", "release", "renew lease", "set status", "widen lock"],
    ...["hand over", "qa verdict", "open pr", "decorate pr"],
  ]);
  return Object.fromEntries(
    Object.entries(budget.byKind)
      .filter(([kind]) => !writes.has(kind))
      .map(([kind, spent]) => [kind, spent.calls]),
  );
}

/** The number of #21's open PR on the emulator, or null. */
async function openPr(): Promise<number | null> {
  const state = (await (await fetch(`${mode.emulatorUrl}/_emulator/state`)).json()) as {
    pullRequests: { repo: string; number: number; state: string; headRefName: string }[];
  };
  const pr = state.pullRequests.find(
    (candidate) =>
      candidate.repo === FRONTEND &&
      candidate.state === "OPEN" &&
      candidate.headRefName.startsWith("subfeature/task/21-"),
  );
  return pr?.number ?? null;
}

/** Every webhook the emulator queued has been delivered and routed by the Worker. */
async function settled(): Promise<void> {
  await fetch(`${mode.emulatorUrl}/_emulator/deliveries/flush`, { method: "POST" });
  await expect
    .poll(async () => {
      const response = await fetch(`${mode.workerUrl}/api/state?deliveries=500`, {
        headers: { authorization: `Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}` },
      });
      const { pendingRoutes } = (await response.json()) as { pendingRoutes: number };
      return pendingRoutes;
    })
    .toBe(0);
}
