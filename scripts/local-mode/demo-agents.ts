/**
 * `npm start -- --demo-agents`: one local-agent daemon per repo of the workspace, each on a
 * throwaway git origin (linked to the emulator, so that runs' PRs open there) and clone under
 * one temporary folder, running the demo agent (local-agent/examples/demo-agent.sh, which
 * commits and pushes), with the board re-check against the emulator. Runs flow with no
 * set-up. Used by scripts/dev.ts.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { lines, stopChild } from "./child-processes.ts";

const exec = promisify(execFile);

export interface DemoAgents {
  folder: string;
  agents: { repo: string; clone: string; process: ChildProcess }[];
  stop(): Promise<void>;
}

async function git(cwd: string, ...args: string[]): Promise<void> {
  await exec("git", args, { cwd });
}

/** A bare origin with one pushed commit on `base`, and a clone with a git identity. */
async function throwawayRepo(folder: string, base: string): Promise<string> {
  const origin = path.join(folder, "origin.git");
  const clone = path.join(folder, "clone");
  await mkdir(folder, { recursive: true });
  await exec("git", ["init", "-q", "--bare", "-b", base, origin]);
  await exec("git", ["clone", "-q", origin, clone]);
  await git(clone, "config", "user.name", "Demo Dev");
  await git(clone, "config", "user.email", "dev@example.com");
  await git(clone, "commit", "-q", "--allow-empty", "-m", "chore: initial commit");
  await git(clone, "push", "-q", "-u", "origin", base);
  return clone;
}

/**
 * The emulator serves the origin's branches and hears its pushes (a post-receive hook), as
 * GitHub does a repo's: the runs' pull requests open, merge and delete their branches.
 */
async function linkToEmulator(emulatorUrl: string, repo: string, gitDir: string): Promise<void> {
  const response = await fetch(`${emulatorUrl}/_emulator/git/link`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ repo, gitDir, hook: true }),
  });
  if (!response.ok) throw new Error(`linking ${repo} to the emulator answered ${response.status}`);
}

export async function startDemoAgents(options: {
  workerUrl: string;
  emulatorUrl: string;
  githubToken: string;
  workspaceConfigFile: string;
  repos: readonly { name: string; baseBranch: string }[];
  tokenFor: (repo: string) => Promise<string>;
  echo: (line: string) => void;
}): Promise<DemoAgents> {
  const folder = await mkdtemp(path.join(tmpdir(), "wf-demo-agents-"));
  const agents: DemoAgents["agents"] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(agents.map((agent) => stopChild(agent.process)));
    await rm(folder, { recursive: true, force: true });
  };
  try {
    for (const repo of options.repos) {
      const short = repo.name.split("/")[1] ?? repo.name;
      const clone = await throwawayRepo(path.join(folder, short), repo.baseBranch);
      await linkToEmulator(options.emulatorUrl, repo.name, path.join(folder, short, "origin.git"));
      const token = await options.tokenFor(repo.name);
      const child = spawn(
        process.execPath,
        [
          "local-agent/cli.ts",
          ...["--worker-url", options.workerUrl, "--repo", repo.name, "--clone", clone],
          ...["--base-branch", repo.baseBranch, "--run-folder", path.join(folder, short, "runs")],
          ...[
            "--agent",
            "custom",
            "--agent-command",
            `sh ${path.resolve("local-agent/examples/demo-agent.sh")} {promptFile}`,
          ],
          ...["--lock-check", "board", "--github-api-url", options.emulatorUrl],
          ...["--workspace-config", options.workspaceConfigFile, "--agent-id", `demo-${short}`],
        ],
        {
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, WORKER_FACTORY_AGENT_TOKEN: token, GITHUB_TOKEN: options.githubToken },
        },
      );
      lines(child, (line) => options.echo(`[agent ${short}] ${line}`));
      agents.push({ repo: repo.name, clone, process: child });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { folder, agents, stop };
}
