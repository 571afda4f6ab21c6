/**
 * Starts a daemon against a FakeRepoQueue and real git repos, with a custom fixture agent,
 * a recording logger and short backoff; builds dispatch frames. Shared by the daemon tests.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import type { Dispatch } from "../../../worker/protocol/messages.ts";
import type { LockCheck } from "../../../local-agent/check.ts";
import { parseAgentConfig, type AgentConfigInput } from "../../../local-agent/config.ts";
import { startDaemon, type Daemon } from "../../../local-agent/daemon.ts";
import { createLogger, type LogRecord } from "../../../local-agent/logger.ts";
import { FakeRepoQueue } from "./fake-repo-queue.ts";
import { makeRepos, type Repos } from "./git-repos.ts";

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

export function fixtureCommand(name: string): string {
  const file = path.join(FIXTURES, name);
  return name.endsWith(".mjs") ? `${process.execPath} ${file} {promptFile}` : `sh ${file} {promptFile}`;
}

export interface Harness {
  server: FakeRepoQueue;
  repos: Repos;
  daemon: Daemon;
  logs: LogRecord[];
  stop(): Promise<void>;
}

export async function startHarness(
  options: {
    agent?: string;
    config?: Partial<AgentConfigInput>;
    check?: LockCheck;
    server?: FakeRepoQueue;
    repos?: Repos;
    /** The environment agents inherit from (default process.env). */
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<Harness> {
  const server = options.server ?? (await FakeRepoQueue.start());
  const repos = options.repos ?? makeRepos();
  const logs: LogRecord[] = [];
  const config = parseAgentConfig({
    workerUrl: server.url,
    repo: "acme/widgets",
    token: "agent-token",
    clonePath: repos.clone,
    runFolder: repos.runFolder,
    agent: "custom",
    agentCommand: fixtureCommand(options.agent ?? "commit.sh"),
    lockCheck: "off",
    stallTimeoutSeconds: 30,
    agentTimeoutSeconds: 60,
    concurrency: 2,
    ...options.config,
  });
  const hello = server.waitForNext((frame) => frame.type === "hello");
  const daemon = await startDaemon({
    config,
    logger: createLogger((record) => logs.push(record), { minLevel: "debug" }),
    check: options.check,
    env: options.env,
    connection: { backoffInitialMs: 50, backoffMaxMs: 200 },
    forceKillAfterMs: 500,
    drainTimeoutMs: 1000,
  });
  await hello;
  return {
    server,
    repos,
    daemon,
    logs,
    async stop() {
      await daemon.stop();
      await server.close();
    },
  };
}

let counter = 0;

export function dispatchFrame(
  overrides: Partial<z.input<typeof Dispatch>["args"]> = {},
  fence = 1,
): z.input<typeof Dispatch> & { runId: string; id: string } {
  counter++;
  return {
    type: "dispatch",
    id: `dispatch-${counter}-${Date.now()}`,
    runId: `run-${counter}-${Date.now()}`,
    fence,
    runSecret: randomBytes(32).toString("base64url"),
    args: {
      repo: "acme/widgets",
      itemId: `PVTI_${counter}`,
      issueNumber: 40 + counter,
      title: "Add Telemetry logging to the Worker!",
      url: `https://github.com/acme/widgets/issues/${40 + counter}`,
      body: "Log every dispatch.",
      area: "worker",
      lockScope: "area",
      lockKeys: ["worker"],
      neededFiles: ["worker/telemetry.ts"],
      dependsOn: ["#12"],
      acceptance: ["npm test passes"],
      links: ["https://example.com/spec"],
      baseBranch: "main",
      risk: "medium",
      agentMode: "cli",
      attempt: 1,
      ...overrides,
    },
  };
}

export function runDir(repos: Repos, runId: string): string {
  return path.join(repos.runFolder, runId);
}

/** Waits until a file exists (the fixture agents signal through files), polling /proc-style. */
export async function waitForFile(file: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
    await delay(20);
  }
  // The writer may not have finished; wait for content.
  while (readFileSync(file, "utf8").trim() === "") {
    if (Date.now() > deadline) throw new Error(`${file} stayed empty`);
    await delay(20);
  }
  return readFileSync(file, "utf8");
}
