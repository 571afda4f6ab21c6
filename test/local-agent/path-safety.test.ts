// Path safety: whatever the Worker sends, run ids, branch names, titles and issue numbers never
// lead outside the run folder or the clone's worktrees. Hostile dispatch frames from a fake RepoQueue.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runDirName } from "../../local-agent/run-lifecycle.ts";
import { Dispatch } from "../../worker/protocol/messages.ts";
import { isType } from "./support/fake-repo-queue.ts";
import { git } from "./support/git-repos.ts";
import { dispatchFrame, startHarness, type Harness } from "./support/harness.ts";

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.stop();
  harness = null;
});

const HOSTILE_RUN_IDS = [
  "..",
  ".",
  "../escaped",
  "../../../../tmp/escaped",
  "/tmp/escaped",
  "a/b",
  "a\\b",
  "run\u0000x",
  ".hidden",
  "-rf",
  "ｒｕｎ-1",
  "run\u202e1",
  "run 1",
  "",
  "r".repeat(129),
];

describe("path safety", () => {
  it("refuses dispatches whose run id is not one plain folder name, and creates nothing for them", async () => {
    harness = await startHarness({ agent: "commit.sh" });
    const { server, repos, logs } = harness;
    const before = readdirSync(repos.root).sort();
    for (const runId of HOSTILE_RUN_IDS) {
      expect(Dispatch.safeParse({ ...dispatchFrame(), runId }).success, JSON.stringify(runId)).toBe(false);
      server.dispatch({ ...dispatchFrame(), runId });
    }
    // Then a good one: once it is done, every hostile frame before it has been read.
    const good = dispatchFrame();
    server.dispatch(good);
    expect((await server.waitFor(isType("run_finished", (f) => f.runId === good.runId))).outcome).toBe(
      "succeeded",
    );
    expect(logs.filter((r) => r.event === "invalid_frame")).toHaveLength(HOSTILE_RUN_IDS.length);
    expect(server.of("ack").map((f) => f.id)).toEqual([good.id]);
    expect(readdirSync(repos.root).sort()).toEqual(before);
    expect(readdirSync(repos.runFolder).sort()).toEqual(["daemon-state.json", good.runId].sort());
    for (const escaped of ["/tmp/escaped", path.join(repos.root, "escaped")])
      expect(existsSync(escaped)).toBe(false);
  });

  it("makes the branch from the title's words only, and keeps the worktree in the run's folder", async () => {
    harness = await startHarness({ agent: "commit.sh" });
    const { server, repos } = harness;
    const frame = dispatchFrame({
      issueNumber: 91,
      title: "../../../../etc/passwd\u0000\n; rm -rf ~ `whoami` $(id) refs/heads/main.lock ‮ ..",
    });
    server.dispatch(frame);
    const started = await server.waitFor(isType("run_started", (f) => f.runId === frame.runId));
    expect(started.branch).toBe("subfeature/task/91-etc-passwd-rm-rf-whoami-id-refs-heads-ma");
    expect(path.relative(repos.runFolder, started.worktree)).toBe(path.join(frame.runId, "worktree"));
    expect((await server.waitFor(isType("run_finished", (f) => f.runId === frame.runId))).outcome).toBe(
      "succeeded",
    );
    expect(git(repos.clone, "branch", "--list", "--format=%(refname)")).toContain(
      `refs/heads/${started.branch}`,
    );
  });

  it("refuses a base branch name that git would not take, before touching the clone", async () => {
    harness = await startHarness({ agent: "commit.sh" });
    const { server, repos } = harness;
    for (const baseBranch of [
      "../../etc",
      "--upload-pack=touch /tmp/pwned",
      "main\u0000",
      "main..x",
      "/main",
    ]) {
      const frame = dispatchFrame({ baseBranch });
      server.dispatch(frame);
      const finished = await server.waitFor(isType("run_finished", (f) => f.runId === frame.runId));
      expect(finished).toMatchObject({
        outcome: "refused",
        reason: `base branch ${JSON.stringify(baseBranch)} is not a valid branch name`,
      });
      expect(existsSync(path.join(repos.runFolder, frame.runId, "worktree"))).toBe(false);
    }
    expect(existsSync("/tmp/pwned")).toBe(false);
    expect(git(repos.clone, "worktree", "list").split("\n")).toHaveLength(1);
  });

  it("refuses issue numbers that are not positive safe integers", () => {
    for (const issueNumber of [0, -1, 1.5, 1e21, Number.NaN]) {
      expect(Dispatch.safeParse(dispatchFrame({ issueNumber })).success, String(issueNumber)).toBe(false);
    }
  });

  it("turns any run id into one plain folder name", () => {
    for (const runId of [...HOSTILE_RUN_IDS, "ok-1"]) {
      const name = runDirName(runId);
      expect(name, JSON.stringify(runId)).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/);
      expect(path.basename(name)).toBe(name);
    }
  });
});
