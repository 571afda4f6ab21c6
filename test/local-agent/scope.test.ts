// Agents ask for scope (the seed's FAQ): `wf-scope` on the agent's PATH, a `scope_request` to
// the (fake) RepoQueue, and what each verdict does to the run. Real git, a fixture agent.
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../local-agent/logger.ts";
import { startScopeServer, type ScopeServer } from "../../local-agent/scope-server.ts";
import { isType } from "./support/fake-repo-queue.ts";
import { git } from "./support/git-repos.ts";
import { dispatchFrame, runDir, startHarness, waitForFile, type Harness } from "./support/harness.ts";

let harness: Harness | null = null;
let scopeServer: ScopeServer | null = null;
afterEach(async () => {
  await harness?.stop();
  harness = null;
  await scopeServer?.close();
  scopeServer = null;
});

const CONFLICT = "Lock conflict: Issue #42 currently holds overlapping lock key(s).";
const finishedFor = (runId: string) => isType("run_finished", (f) => f.runId === runId);

describe("wf-scope request", () => {
  it("asks the RepoQueue with a scope_request; granted, it prints the new scope, the prompt notes it, and the run goes on", async () => {
    harness = await startHarness({ agent: "scope.sh" });
    const { server, repos } = harness;
    server.scopeVerdict = () => ({ granted: true, reason: "", lockKeys: ["worker", "docs:docs/extra.md"] });
    const frame = dispatchFrame({ issueNumber: 80, title: "Needs docs" });
    server.dispatch(frame);

    const request = await server.waitFor(isType("scope_request", (f) => f.runId === frame.runId));
    expect(request).toMatchObject({
      fence: 1,
      paths: ["docs/extra.md"],
      reason: "the change needs its docs",
    });
    const finished = await server.waitFor(finishedFor(frame.runId));
    const dir = runDir(repos, frame.runId);
    expect(readFileSync(path.join(dir, "scope.status"), "utf8").trim()).toBe("0");
    expect(readFileSync(path.join(dir, "scope.out"), "utf8")).toBe(
      "Scope granted: you may now also edit docs/extra.md.\nLock key(s) held: worker, docs:docs/extra.md\n",
    );
    expect(readFileSync(path.join(dir, "scope.show"), "utf8")).toContain(
      "Lock key(s): worker, docs:docs/extra.md",
    );
    expect(readFileSync(path.join(dir, "prompt.md"), "utf8")).toContain(
      "Your lock scope was widened: you may also edit `docs/extra.md`.",
    );
    expect(finished.outcome).toBe("succeeded");
    expect(git(repos.origin, "show", "--stat", "--format=", finished.commits[0] ?? "")).toContain(
      "docs/extra.md",
    );
  });

  it("refused, it prints the seed's conflict message and exits 1, and the daemon stops the run, keeps its work and reports it stopped", async () => {
    harness = await startHarness({ agent: "scope.sh" });
    const { server, repos } = harness;
    server.scopeVerdict = () => ({ granted: false, reason: CONFLICT, lockKeys: ["worker"] });
    const frame = dispatchFrame({ issueNumber: 81, title: "Needs docs too" });
    server.dispatch(frame);

    const finished = await server.waitFor(finishedFor(frame.runId));
    const dir = runDir(repos, frame.runId);
    expect(readFileSync(path.join(dir, "scope.status"), "utf8").trim()).toBe("1");
    expect(readFileSync(path.join(dir, "scope.out"), "utf8")).toBe(
      `Scope refused: ${CONFLICT}\nStop now and do not edit those files: the run is being stopped and the item requeued.\n`,
    );
    expect(finished.outcome).toBe("stopped");
    expect(finished.reason).toBe(
      `scope refused: ${CONFLICT} (asked for docs/extra.md) (1 commit(s) on the branch)`,
    );
    // The agent's in-scope work is on the pushed branch; the refused file was never written.
    const branch = "subfeature/task/81-needs-docs-too";
    expect(git(repos.origin, "show", `${branch}:worker/telemetry.ts`)).toBe("draft for 81");
    expect(git(repos.origin, "ls-tree", "-r", "--name-only", branch)).not.toContain("docs/extra.md");
  });

  it("without a verdict (a Worker that cannot widen scope), it exits 3 and the run goes on within its scope", async () => {
    harness = await startHarness({ agent: "scope.sh" });
    const { server, repos } = harness;
    server.replyWith = (frame) =>
      frame.type === "scope_request"
        ? {
            type: "reply",
            id: frame.id,
            ok: false,
            error: "unsupported",
            message: "this Worker does not widen scope",
          }
        : undefined;
    const frame = dispatchFrame({ issueNumber: 82, title: "Stay in scope" });
    server.dispatch(frame);

    const finished = await server.waitFor(finishedFor(frame.runId));
    const dir = runDir(repos, frame.runId);
    expect(readFileSync(path.join(dir, "scope.status"), "utf8").trim()).toBe("3");
    expect(readFileSync(path.join(dir, "scope.out"), "utf8")).toBe(
      "No scope verdict: this Worker does not widen scope. Stay within your current scope.\n",
    );
    expect(finished.outcome).toBe("succeeded");
    expect(harness.daemon.store.outbox().filter((f) => f.type === "scope_request")).toEqual([]);
  });

  it("waits no longer than the scope timeout for a verdict, and stops resending the request", async () => {
    harness = await startHarness({ agent: "scope.sh", config: { scopeTimeoutSeconds: 1 } });
    const { server, repos } = harness;
    server.autoReply = false;
    const frame = dispatchFrame({ issueNumber: 83, title: "Nobody answers" });
    server.dispatch(frame);

    const status = await waitForFile(path.join(runDir(repos, frame.runId), "scope.status"));
    expect(status.trim()).toBe("3");
    expect(readFileSync(path.join(runDir(repos, frame.runId), "scope.out"), "utf8")).toBe(
      "No scope verdict: the RepoQueue did not answer within 1s. Stay within your current scope.\n",
    );
    expect(harness.daemon.store.outbox().filter((f) => f.type === "scope_request")).toEqual([]);
  });
});

describe("the scope channel", () => {
  async function channel(): Promise<{ wfScope: string; asked: string[][] }> {
    const runDir = mkdtempSync(path.join(tmpdir(), "wf-scope-"));
    const worktree = path.join(runDir, "worktree");
    mkdirSync(worktree);
    const asked: string[][] = [];
    scopeServer = await startScopeServer({
      runDir,
      worktree,
      logger: createLogger(() => undefined),
      waitSeconds: 30,
      request: (paths) => {
        asked.push(paths);
        return Promise.resolve({ granted: true, final: true, reason: "", lockKeys: ["docs"] });
      },
      answered: () => undefined,
      view: () => ({ area: "docs", lockScope: "area", lockKeys: ["docs"], neededFiles: [] }),
    });
    return { wfScope: path.join(scopeServer.binDir, "wf-scope"), asked };
  }

  it("answers only a caller holding the run's secret", async () => {
    const { wfScope } = await channel();
    const script = readFileSync(wfScope, "utf8");
    const url = /WF_SCOPE_URL='([^']+)'/.exec(script)?.[1] ?? "";
    const response = await fetch(`${url}/scope`, { headers: { authorization: "Bearer guessed" } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "wrong or missing run secret" });
  });

  it("refuses a path outside the worktree with exit 2, asking nobody", async () => {
    const { wfScope, asked } = await channel();
    const result = await execa(wfScope, ["request", "docs/a.md", "../../etc/passwd"], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe("wf-scope: ../../etc/passwd is outside the worktree");
    expect(asked).toEqual([]);
  });

  it("exits 2 with its usage when no path is named", async () => {
    const { wfScope } = await channel();
    const result = await execa(wfScope, ["request"], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe("wf-scope request: name at least one path");
  });
});
