// The lock re-check against live board data: the real BoardClient reading the GitHub emulator.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { DispatchArgs } from "../../worker/protocol/messages.ts";
import { createLockCheck } from "../../local-agent/check.ts";
import { AgentConfigError, parseAgentConfig } from "../../local-agent/config.ts";
import { createLogger, type LogRecord } from "../../local-agent/logger.ts";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const BACKEND = "phoenix-agentic/Phoenix-Agentic-Engine-Backend";
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

const config = (extra: Record<string, unknown>) =>
  parseAgentConfig({
    workerUrl: "http://127.0.0.1:9",
    repo: BACKEND,
    token: "t",
    clonePath: "/tmp/x",
    ...extra,
  });
const args = (area: string) =>
  DispatchArgs.parse({
    repo: BACKEND,
    itemId: "PVTI_new",
    issueNumber: 999,
    title: "t",
    url: "u",
    area,
    lockScope: "area",
    lockKeys: [area],
    neededFiles: [],
    dependsOn: [],
    baseBranch: "main",
    risk: "medium",
    agentMode: "cli",
    attempt: 1,
  });

describe("board lock re-check", () => {
  it("reports the active item that holds an overlapping key, in the seed's words", async () => {
    const check = createLockCheck(
      config({
        githubToken: "test-token",
        githubApiUrl: emulator.url,
        workspaceConfig: path.join(ROOT, "workspace.config.json"),
      }),
      createLogger(() => undefined),
    );
    const result = await check(args("gateway"));
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toMatch(
      /^Lock conflict: Issue #42 currently holds overlapping lock key\(s\)\./,
    );
  });

  it("says the board check is not configured when there is no GitHub token, and lets the run proceed", async () => {
    const logs: LogRecord[] = [];
    const check = createLockCheck(
      config({ workspaceConfig: path.join(ROOT, "workspace.config.json") }),
      createLogger((r) => logs.push(r)),
    );
    expect(await check(args("gateway"))).toEqual({ ok: true });
    expect(logs.map((r) => r.event)).toContain("board_check_not_configured");
  });

  it("names the workspace config key when that file is not valid", () => {
    expect(() =>
      createLockCheck(
        config({ githubToken: "x", workspaceConfig: path.join(ROOT, "package.json") }),
        createLogger(() => undefined),
      ),
    ).toThrow(AgentConfigError);
  });
});
