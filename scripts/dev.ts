/**
 * Local mode: the GitHub emulator with the five-repo sample board, and the Worker in workerd
 * (`wrangler dev`) wired to it, with fixed local secrets; optionally one demo agent per repo.
 * It checks the workspace config first, starts from fresh state unless told to keep it, reads
 * the board at once, and says what to do next. `npm start` runs this; the end-to-end tests
 * call `startLocalMode`. Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import {
  ConfigError,
  parseWorkspaceConfigText,
  type WorkspaceConfig,
} from "../worker/config/workspace-config.ts";
import { ChildFailedError, freePort, stopChild, waitFor } from "./local-mode/child-processes.ts";
import { startDemoAgents, type DemoAgents } from "./local-mode/demo-agents.ts";

export const LOCAL_SECRETS = {
  GITHUB_WEBHOOK_SECRET: "local-webhook-secret",
  ADMIN_TOKEN: "local-admin-token",
  AGENT_TOKEN_KEY: "local-agent-key",
  GITHUB_TOKEN: "local-github-token",
} as const;

const BUNDLED_CONFIG = "workspace.config.json";
const KEPT_STATE = ".wrangler/state";
const KEPT_BOARD = ".wrangler/emulator-board.json";

const HELP = `npm start -- [options]

Runs Worker Factory locally: the GitHub emulator (sample board) and the Worker in workerd.

  --port <n>                Worker port (default 8787; 0 picks a free one)
  --emulator-port <n>       GitHub emulator port (default 0: a free one)
  --seed <file>             board seed for the emulator (default emulator/seed/phoenix-board.json)
  --workspace-config <file> workspace config for the Worker (default workspace.config.json)
  --keep-state              keep the Worker's state and the emulator's board across restarts
                            (in ${KEPT_STATE} and ${KEPT_BOARD}); by default both start fresh
  --demo-agents             also start one demo agent per repo (throwaway git repos), so runs flow
  -h, --help                this text
`;

/** A bad config stops start-up with the key it names, before anything is started. */
export class LocalConfigError extends Error {
  override readonly name = "LocalConfigError";
}

export interface LocalMode {
  workerUrl: string;
  emulatorUrl: string;
  config: WorkspaceConfig;
  demoAgents: DemoAgents | null;
  stop(): Promise<void>;
}

/**
 * Validates the workspace config the Worker will use. The bundled file is parsed even when
 * another is given, since wrangler bundles it and a syntax error there makes the build fail.
 */
export function checkWorkspaceConfig(file: string | undefined): {
  config: WorkspaceConfig;
  text: string;
  file: string;
} {
  const read = (name: string): string => {
    try {
      return readFileSync(name, "utf8");
    } catch (error) {
      throw new LocalConfigError(`cannot read ${name}: ${(error as Error).message}`);
    }
  };
  const parse = (name: string, text: string): WorkspaceConfig => {
    try {
      return parseWorkspaceConfigText(text);
    } catch (error) {
      if (error instanceof ConfigError) throw new LocalConfigError(`${name}: ${error.message}`);
      throw error;
    }
  };
  const bundled = read(BUNDLED_CONFIG);
  const bundledConfig = parse(BUNDLED_CONFIG, bundled);
  if (file === undefined || path.resolve(file) === path.resolve(BUNDLED_CONFIG)) {
    return { config: bundledConfig, text: bundled, file: path.resolve(BUNDLED_CONFIG) };
  }
  const text = read(file);
  return { config: parse(file, text), text, file: path.resolve(file) };
}

async function api(workerUrl: string, method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${workerUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(60_000),
  });
}

export async function startLocalMode(options: {
  port?: number;
  emulatorPort?: number;
  seed?: string;
  /** Where workerd keeps Durable Object state; default a fresh folder, removed on stop. */
  persistTo?: string;
  /** Keep the Worker's state and the emulator's board across restarts. */
  keepState?: boolean;
  /** The workspace config file (default workspace.config.json). */
  workspaceConfig?: string;
  /** Extra Worker variables, e.g. a WORKSPACE_CONFIG with a short lease. */
  vars?: Record<string, string>;
  /** Read the whole board at once, so every repo shows its items (default true). */
  reconcile?: boolean;
  demoAgents?: boolean;
  echo?: (line: string) => void;
}): Promise<LocalMode> {
  const echo = options.echo ?? (() => undefined);
  const workspace = checkWorkspaceConfig(options.workspaceConfig);
  // A WORKSPACE_CONFIG variable wins over the file, as in the Worker: check that one too.
  const config =
    options.vars?.WORKSPACE_CONFIG === undefined
      ? workspace.config
      : parseVarConfig(options.vars.WORKSPACE_CONFIG);
  const port = options.port ?? 8787;
  const children: ChildProcess[] = [];
  let freshState: string | null = null;
  let demoAgents: DemoAgents | null = null;
  const stop = async (): Promise<void> => {
    await demoAgents?.stop();
    await Promise.all(children.map(stopChild));
    if (freshState !== null) await rm(freshState, { recursive: true, force: true });
  };
  try {
    let persistTo = options.persistTo;
    if (persistTo === undefined && options.keepState) persistTo = KEPT_STATE;
    if (persistTo === undefined)
      persistTo = freshState = await mkdtemp(path.join(tmpdir(), "wf-local-state-"));
    if (options.keepState) await mkdir(path.dirname(KEPT_BOARD), { recursive: true });
    const wranglerPort = port === 0 ? await freePort() : port;
    const workerUrl = `http://127.0.0.1:${wranglerPort}`;
    const emulator = spawn(
      process.execPath,
      [
        "emulator/main.ts",
        ...["--port", String(options.emulatorPort ?? 0)],
        ...["--seed", options.seed ?? "emulator/seed/phoenix-board.json"],
        ...(options.keepState ? ["--state", KEPT_BOARD] : []),
        ...["--webhook-url", `${workerUrl}/webhooks/github`],
        ...["--webhook-secret", LOCAL_SECRETS.GITHUB_WEBHOOK_SECRET],
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(emulator);
    const emulatorUrl = await waitFor(emulator, { ready: /"event":"listening".*"url":"([^"]+)"/ }, (l) =>
      echo(`[emulator] ${l}`),
    );

    const vars: Record<string, string> = { ...LOCAL_SECRETS, GITHUB_API_URL: emulatorUrl };
    if (options.workspaceConfig !== undefined) vars.WORKSPACE_CONFIG = JSON.stringify(workspace.config);
    Object.assign(vars, options.vars);
    const wrangler = spawn(
      "wrangler",
      [
        "dev",
        ...["--ip", "127.0.0.1", "--port", String(wranglerPort)],
        "--test-scheduled",
        "--show-interactive-dev-session=false",
        ...["--persist-to", persistTo],
        ...Object.entries(vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
    );
    children.push(wrangler);
    await waitFor(wrangler, { ready: /Ready on (http:\/\/\S+)/, failed: /✘ \[ERROR\]/ }, (l) =>
      echo(`[worker] ${l}`),
    );
    const health = await api(workerUrl, "GET", "/healthz");
    if (health.status !== 200) {
      throw new LocalConfigError(`the Worker is not healthy (${health.status}): ${await health.text()}`);
    }
    if (options.reconcile !== false) {
      const read = await api(workerUrl, "POST", "/api/reconcile");
      if (read.status !== 200)
        echo(`[local] reading the board failed (${read.status}): ${await read.text()}`);
    }
    if (options.demoAgents) {
      demoAgents = await startDemoAgents({
        workerUrl,
        emulatorUrl,
        githubToken: LOCAL_SECRETS.GITHUB_TOKEN,
        workspaceConfigFile: workspace.file,
        repos: config.repos,
        tokenFor: async (repo) => {
          const response = await api(workerUrl, "POST", "/api/agents/token", { repo });
          return z.object({ token: z.string() }).parse(await response.json()).token;
        },
        echo,
      });
    }
    return { workerUrl, emulatorUrl, config, demoAgents, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function parseVarConfig(text: string): WorkspaceConfig {
  try {
    return parseWorkspaceConfigText(text);
  } catch (error) {
    if (error instanceof ConfigError) throw new LocalConfigError(`WORKSPACE_CONFIG: ${error.message}`);
    throw error;
  }
}

function nextSteps(mode: LocalMode): string {
  const env = `export WORKER_FACTORY_URL=${mode.workerUrl} WORKER_FACTORY_ADMIN_TOKEN=${LOCAL_SECRETS.ADMIN_TOKEN}`;
  return `
Worker Factory is running locally.
  Dashboard:        ${mode.workerUrl}/   (admin token: ${LOCAL_SECRETS.ADMIN_TOKEN})
  Worker:           ${mode.workerUrl}    (health: ${mode.workerUrl}/healthz)
  GitHub emulator:  ${mode.emulatorUrl}
  Webhook secret:   ${LOCAL_SECRETS.GITHUB_WEBHOOK_SECRET}
  Demo agents:      ${mode.demoAgents ? `${mode.demoAgents.agents.length}, one per repo, in ${mode.demoAgents.folder}` : "none (npm start -- --demo-agents starts one per repo)"}

Next, in another terminal:
  ${env}
  npx wf status
Ctrl-C stops it.`;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        port: { type: "string", default: "8787" },
        "emulator-port": { type: "string", default: "0" },
        seed: { type: "string" },
        "workspace-config": { type: "string" },
        "keep-state": { type: "boolean" },
        "demo-agents": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    process.stderr.write(`npm start: ${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const number = (flag: string, text: string): number => {
    const parsed = z.coerce.number().int().min(0).max(65535).safeParse(text);
    if (!parsed.success) throw new LocalConfigError(`--${flag}: expected a port number, got "${text}"`);
    return parsed.data;
  };
  const mode = await startLocalMode({
    port: number("port", values.port),
    emulatorPort: number("emulator-port", values["emulator-port"]),
    ...(values.seed ? { seed: values.seed } : {}),
    ...(values["workspace-config"] ? { workspaceConfig: values["workspace-config"] } : {}),
    keepState: values["keep-state"] === true,
    demoAgents: values["demo-agents"] === true,
    echo: (line) => console.log(line),
  });
  console.log(nextSteps(mode));
  const shutdown = (): void => {
    void mode.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    const known = error instanceof LocalConfigError || error instanceof ChildFailedError;
    const message = error instanceof Error ? error.message : String(error);
    console.error(known ? `npm start: ${message}` : error);
    process.exit(1);
  });
}
