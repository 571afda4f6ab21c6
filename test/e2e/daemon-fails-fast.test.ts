/**
 * A daemon that fails fast and tells the truth, against a real Worker (local mode): doctor
 * passes a good set-up, and the daemon refuses to start — a non-zero exit, the reason in words, no
 * reconnect loop, no attempt spent — on a wrong token or a dirty clone.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalMode, type LocalMode } from "../../scripts/dev.ts";
import { agentToken, makeRepo, repoState } from "./support.ts";

const FRONTEND = "phoenix-agentic/Phoenix-Agentic-Website-Frontend";
let mode: LocalMode;
let dir: string;
let clone: string;

function agent(token: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        "local-agent/cli.ts",
        ...args,
        ...["--worker-url", mode.workerUrl, "--repo", FRONTEND, "--clone", clone],
        ...["--run-folder", join(dir, "runs"), "--agent", "custom", "--agent-command", "sh -c true"],
        "--lock-check",
        "off",
      ],
      { env: { ...process.env, WORKER_FACTORY_AGENT_TOKEN: token }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? -1), stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  mode = await startLocalMode({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), "wf-fails-fast-"));
  ({ clone } = await makeRepo(dir));
}, 180_000);

afterAll(async () => {
  await mode?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the daemon fails fast", () => {
  it("doctor passes a good set-up against the real Worker", async () => {
    const result = await agent(await agentToken(mode, FRONTEND), "doctor");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ok {4}Worker +reachable at http:\/\/127\.0\.0\.1:\d+ /);
    expect(result.stdout).toMatch(new RegExp(`ok {4}Agent token +valid for ${FRONTEND}`));
    expect(result.stdout).toContain("All checks passed.");
  });

  it("exits 3 on a wrong token with the reason, instead of reconnecting forever", async () => {
    const result = await agent("not-the-token");
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /FAIL {2}Agent token +refused \(401\): the token is wrong, or \S+ is not a repo of the workspace; get the repo's token with `npx wf token \S+`/,
    );
    expect(result.stderr).toContain("The daemon did not start.");
    expect((await repoState(mode, FRONTEND)).agents).toEqual([]);
  });

  it("exits 1 on a dirty clone before it connects, so no dispatch spends an attempt on it", async () => {
    await writeFile(join(clone, "scratch.txt"), "wip\n");
    const result = await agent(await agentToken(mode, FRONTEND));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("FAIL  Base branch");
    expect(result.stderr).toContain("the clone is dirty: 1 uncommitted change(s)");
    const { runs } = await repoState(mode, FRONTEND);
    expect(runs).toEqual([]);
  });
});
