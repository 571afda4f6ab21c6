// A real daemon process killed with SIGKILL mid-run, against a fake RepoQueue and real git:
// the restarted daemon kills the orphaned agent, reports the run interrupted (its secret
// proved), keeps the worktree with its uncommitted work, and the item's next attempt
// continues in that worktree and finishes the work.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { liveFolders } from "../../local-agent/cli.ts";
import { isAlive } from "../../local-agent/process-tree.ts";
import { FakeRepoQueue, isType } from "./support/fake-repo-queue.ts";
import { git, makeRepos, type Repos } from "./support/git-repos.ts";
import { dispatchFrame, fixtureCommand, runDir, waitForFile } from "./support/harness.ts";

const children: ChildProcess[] = [];
let server: FakeRepoQueue | null = null;
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await server?.close();
  server = null;
});

function startDaemon(url: string, repos: Repos): { child: ChildProcess; log: () => string } {
  const child = spawn(
    process.execPath,
    [
      path.resolve("local-agent/cli.ts"),
      ...["--worker-url", url, "--repo", "acme/widgets", "--clone", repos.clone],
      ...[
        "--run-folder",
        repos.runFolder,
        "--agent",
        "custom",
        "--agent-command",
        fixtureCommand("resume.sh"),
      ],
      ...["--lock-check", "off", "--agent-id", "crash-agent"],
    ],
    {
      env: { ...process.env, WORKER_FACTORY_AGENT_TOKEN: "agent-token" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  children.push(child);
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  return { child, log: () => log };
}

describe("a daemon killed with SIGKILL mid-run", () => {
  it("reports the run interrupted after its restart, and the next attempt continues in its worktree with the work kept", async () => {
    server = await FakeRepoQueue.start();
    const repos = makeRepos();
    const first = startDaemon(server.url, repos);
    await server.waitFor(isType("hello"), 20_000);
    const frame = dispatchFrame({ issueNumber: 77, title: "Resume after a crash" });
    server.dispatch(frame);
    const started = await server.waitFor(
      isType("run_started", (f) => f.runId === frame.runId),
      20_000,
    );
    const agentPid = Number(await waitForFile(path.join(runDir(repos, frame.runId), "agent.pid")));
    const wip = path.join(started.worktree, "wip.txt");
    expect(readFileSync(wip, "utf8")).toBe("half done\n");

    first.child.kill("SIGKILL");
    await once(first.child, "exit");

    const second = startDaemon(server.url, repos);
    const interrupted = await server.waitFor(
      isType("run_finished", (f) => f.runId === frame.runId),
      20_000,
    );
    expect(interrupted).toMatchObject({
      outcome: "interrupted",
      fence: frame.fence,
      runSecret: frame.runSecret,
    });
    expect(interrupted.reason).toMatch(/uncommitted changes, the next attempt continues in it/);
    expect(server.unauthorized).toEqual([]);
    // The orphaned agent is gone, and the uncommitted work is still there.
    expect(isAlive(agentPid)).toBe(false);
    expect(readFileSync(wip, "utf8")).toBe("half done\n");

    const next = dispatchFrame({ issueNumber: 77, title: "Resume after a crash", attempt: 1 }, 2);
    server.dispatch(next);
    const resumed = await server.waitFor(
      isType("run_started", (f) => f.runId === next.runId),
      20_000,
    );
    expect(resumed.worktree).toBe(started.worktree);
    expect(resumed.branch).toBe(started.branch);
    const prompt = readFileSync(path.join(runDir(repos, next.runId), "prompt.md"), "utf8");
    expect(prompt).toContain("## Continuing an interrupted attempt");
    expect(prompt).toContain("It also left uncommitted changes");

    const finished = await server.waitFor(
      isType("run_finished", (f) => f.runId === next.runId),
      20_000,
    );
    expect(finished, second.log()).toMatchObject({ outcome: "succeeded", runSecret: next.runSecret });
    expect(finished.commits).toHaveLength(1);
    expect(git(repos.origin, "show", `${started.branch}:wip.txt`)).toBe("half done\nfinished");
    // Clean now, so it is removed; its branch stays.
    await vi.waitFor(() => expect(existsSync(started.worktree)).toBe(false), { timeout: 20_000 });

    second.child.kill("SIGTERM");
    await once(second.child, "exit");
    // Two daemon processes and three agent runs: a cap for a loaded machine, not a speed target.
  }, 120_000);

  it("keeps the interrupted attempt's folder from the run-folder sweep while a run resumes its worktree", () => {
    const runs = [
      { runId: "r2", worktree: "/runs/r1/worktree" },
      { runId: "r3", worktree: "/elsewhere/wt" },
    ];
    const daemon = { liveRuns: () => [{ runId: "r2" }], store: { runs: () => runs } };
    expect([...liveFolders(daemon, "/runs")].sort()).toEqual(["r1", "r2", "r3"]);
  });
});
