/**
 * What a newcomer watches: `npm start -- --port N --demo-agents` as a real process (emulator,
 * wrangler dev, one real local-agent daemon per repo on throwaway git repos), runs flowing with
 * no set-up, the printed next command working, and Ctrl-C leaving nothing behind.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_SECRETS } from "../../scripts/dev.ts";
import { freePort } from "../../scripts/local-mode/child-processes.ts";

const run = promisify(execFile);
let start: ChildProcess;
let workerUrl: string;
const output: string[] = [];

interface State {
  repos: { name: string; runs: { number: number; outcome: string | null }[] }[];
}

async function outcomeOf(repo: string, number: number): Promise<string | null | undefined> {
  const response = await fetch(`${workerUrl}/api/state`, {
    headers: { authorization: `Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}` },
  });
  const body = (await response.json()) as State;
  return body.repos.find((r) => r.name === repo)?.runs.find((r) => r.number === number)?.outcome;
}

beforeAll(async () => {
  const port = await freePort();
  workerUrl = `http://127.0.0.1:${port}`;
  start = spawn(process.execPath, ["scripts/dev.ts", "--port", String(port), "--demo-agents"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  // Ready when it says what to do next; failed if it exits first or takes past the cap.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start was not ready:\n${output.join("\n")}`)),
      150_000,
    );
    start.once("exit", (code) => reject(new Error(`npm start exited ${code}:\n${output.join("\n")}`)));
    for (const stream of [start.stdout, start.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on("line", (line) => {
        output.push(line);
        if (line.startsWith("Next, in another terminal")) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
}, 180_000);

afterAll(async () => {
  if (start && start.exitCode === null) {
    start.kill("SIGTERM");
    await once(start, "exit");
  }
});

describe("local mode with demo agents", () => {
  it("prints the dashboard URL and the next command, with the port it was given", () => {
    expect(output).toContain(
      `  Dashboard:        ${workerUrl}/   (admin token: ${LOCAL_SECRETS.ADMIN_TOKEN})`,
    );
    expect(output).toContain(
      `  export WORKER_FACTORY_URL=${workerUrl} WORKER_FACTORY_ADMIN_TOKEN=${LOCAL_SECRETS.ADMIN_TOKEN}`,
    );
    expect(output).toContain("  npx wf status");
  });

  it("runs the sample board's Ready items on the demo agents with no set-up", async () => {
    for (const [repo, number] of [
      ["phoenix-agentic/Phoenix-Agentic-Website-Frontend", 21],
      ["phoenix-agentic/Phoenix-Agentic-Engine", 12],
    ] as const) {
      await expect.poll(() => outcomeOf(repo, number), { timeout: 90_000, interval: 500 }).toBe("succeeded");
    }
  });

  it("answers the printed next command", async () => {
    const { stdout } = await run(process.execPath, ["operator/wf.mjs", "status"], {
      env: {
        ...process.env,
        WORKER_FACTORY_URL: workerUrl,
        WORKER_FACTORY_ADMIN_TOKEN: LOCAL_SECRETS.ADMIN_TOKEN,
      },
    });
    expect(stdout).toMatch(/^Workspace phoenix · project phoenix-agentic#1 · /);
    expect(stdout).toContain(
      "phoenix-agentic/Phoenix-Agentic-Website-Frontend · agents: demo-Phoenix-Agentic-Website-Frontend",
    );
  });

  it("stops everything on Ctrl-C and removes the demo repos", async () => {
    const folder = output.find((line) => line.startsWith("  Demo agents:"))?.match(/in (\S+)$/)?.[1];
    expect(folder).toBeDefined();
    expect(existsSync(folder!)).toBe(true);
    start.kill("SIGINT");
    const [code] = await once(start, "exit");
    expect(code).toBe(0);
    expect(existsSync(folder!)).toBe(false);
    await expect(fetch(`${workerUrl}/healthz`)).rejects.toThrow();
  });
});
