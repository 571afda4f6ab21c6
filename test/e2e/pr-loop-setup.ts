/**
 * The set-up of the pull-request loop's end-to-end tests: local mode (emulator and Worker)
 * with a workspace config of the test's own, its board items, and per repo a real git origin
 * linked to the emulator and a real daemon running the demo agent; and the looks that need it.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { startLocalMode, type LocalMode } from "../../scripts/dev.ts";
import bundled from "../../workspace.config.json";
import { newItem, pullRequestOf, startRepoAgent, type EmulatorPr } from "./pr-loop-support.ts";
import { git } from "./support.ts";

export const FRONTEND = "phoenix-agentic/Phoenix-Agentic-Website-Frontend";
export const BACKEND = "phoenix-agentic/Phoenix-Agentic-Website-Backend";
export const WAIT = { timeout: 90_000, interval: 500 };
export const SLOW = 180_000;

export interface Loop {
  mode: LocalMode;
  /** The daemons' folders (clones, origins, run folders). */
  dir: string;
  /** Each repo's bare origin. */
  origins: Record<string, string>;
  stop(): Promise<void>;
}

export interface LoopItem {
  repo: string;
  number: number;
  title: string;
  fields: Record<string, string>;
  body?: string;
}

export async function startPrLoop(options: {
  name: string;
  items: LoopItem[];
  /** Changes to the shipped workspace config (`qa`, repos asking for Copilot's review). */
  qa?: Record<string, unknown>;
  copilotReview?: string[];
}): Promise<Loop> {
  const log: string[] = [];
  const persistTo = `.wrangler/test-${options.name}-${process.pid}`;
  const config = {
    ...bundled,
    ...(options.qa === undefined ? {} : { qa: options.qa }),
    repos: bundled.repos.map((repo) =>
      options.copilotReview?.includes(repo.name) ? { ...repo, copilotReview: true } : repo,
    ),
  };
  const mode = await startLocalMode({
    port: 0,
    persistTo,
    vars: { WORKSPACE_CONFIG: JSON.stringify(config) },
    echo: (line) => log.push(line),
  });
  const dir = await mkdtemp(join(tmpdir(), `wf-${options.name}-`));
  for (const item of options.items)
    await newItem(mode, item.repo, item.number, item.title, item.fields, item.body);
  const daemons: ChildProcess[] = [];
  const origins: Record<string, string> = {};
  for (const repo of [FRONTEND, BACKEND]) {
    const started = await startRepoAgent(mode, repo, join(dir, repo.split("/")[1] ?? repo), log);
    daemons.push(started.daemon);
    origins[repo] = started.origin;
  }
  return {
    mode,
    dir,
    origins,
    stop: async () => {
      // Where a failure's story is told: every line of the emulator, the Worker and the daemons.
      if (process.env.WF_E2E_LOG)
        await writeFile(`${process.env.WF_E2E_LOG}.${options.name}`, log.join("\n"));
      for (const daemon of daemons) daemon.kill("SIGTERM");
      await mode.stop();
      await rm(persistTo, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The open PR of issue `number`'s run branch, once the Worker opened it. */
export async function openPr(loop: Loop, repo: string, number: number): Promise<EmulatorPr> {
  await expect.poll(async () => (await pullRequestOf(loop.mode, repo, number))?.state, WAIT).toBe("OPEN");
  const pr = await pullRequestOf(loop.mode, repo, number);
  if (pr === null) throw new Error(`no PR for #${number}`);
  return pr;
}

export async function branchOnOrigin(loop: Loop, repo: string, branch: string): Promise<boolean> {
  const listed = await git(loop.origins[repo] ?? "", "branch", "--list", branch);
  return listed.trim() !== "";
}
