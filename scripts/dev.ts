/**
 * Local mode: the GitHub emulator with the five-repo sample board, and the Worker in workerd
 * (`wrangler dev`) wired to it, with fixed local secrets. `npm start` runs this; the end-to-end
 * tests run it too. Ctrl-C stops both.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

export const LOCAL_SECRETS = {
  GITHUB_WEBHOOK_SECRET: "local-webhook-secret",
  ADMIN_TOKEN: "local-admin-token",
  AGENT_TOKEN_KEY: "local-agent-key",
  GITHUB_TOKEN: "local-github-token",
} as const;

const HELP = `npm start -- [options]

Runs Worker Factory locally: the GitHub emulator (sample board) and the Worker in workerd.

  --port <n>           Worker port (default 8787; 0 picks a free one)
  --emulator-port <n>  GitHub emulator port (default 0: a free one)
  --seed <file>        board seed for the emulator (default emulator/seed/phoenix-board.json)
  --persist-to <dir>   where workerd keeps Durable Object state (default .wrangler/state)
  -h, --help           this text
`;

function lines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on("line", onLine);
  }
}

/** Resolves with the first capture of `pattern` printed by the child, or rejects when it exits. */
function waitFor(child: ChildProcess, pattern: RegExp, echo: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let found = false;
    lines(child, (line) => {
      echo(line);
      const match = pattern.exec(line);
      if (!found && match) {
        found = true;
        resolve(match[1] ?? line);
      }
    });
    child.once("exit", (code) => {
      if (!found) reject(new Error(`${child.spawnfile} exited with ${code} before it was ready`));
    });
  });
}

export interface LocalMode {
  workerUrl: string;
  emulatorUrl: string;
  stop(): Promise<void>;
}

export async function startLocalMode(options: {
  port?: number;
  emulatorPort?: number;
  seed?: string;
  persistTo?: string;
  /** Extra Worker variables, e.g. a WORKSPACE_CONFIG with a short lease. */
  vars?: Record<string, string>;
  echo?: (line: string) => void;
}): Promise<LocalMode> {
  const echo = options.echo ?? (() => undefined);
  const port = options.port ?? 8787;
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await once(child, "exit");
        clearTimeout(timer);
      }),
    );
  };
  try {
    const wranglerPort = port === 0 ? await freePort() : port;
    const workerUrl = `http://127.0.0.1:${wranglerPort}`;
    const emulator = spawn(
      process.execPath,
      [
        "emulator/main.ts",
        "--port",
        String(options.emulatorPort ?? 0),
        "--seed",
        options.seed ?? "emulator/seed/phoenix-board.json",
        "--webhook-url",
        `${workerUrl}/webhooks/github`,
        "--webhook-secret",
        LOCAL_SECRETS.GITHUB_WEBHOOK_SECRET,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(emulator);
    const emulatorUrl = await waitFor(emulator, /"event":"listening".*"url":"([^"]+)"/, (l) =>
      echo(`[emulator] ${l}`),
    );

    const vars = { ...LOCAL_SECRETS, GITHUB_API_URL: emulatorUrl, ...options.vars };
    const wrangler = spawn(
      "wrangler",
      [
        "dev",
        "--ip",
        "127.0.0.1",
        "--port",
        String(wranglerPort),
        "--test-scheduled",
        "--show-interactive-dev-session=false",
        ...(options.persistTo ? ["--persist-to", options.persistTo] : []),
        ...Object.entries(vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
    );
    children.push(wrangler);
    await waitFor(wrangler, /Ready on (http:\/\/\S+)/, (l) => echo(`[worker] ${l}`));
    return { workerUrl, emulatorUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8787" },
      "emulator-port": { type: "string", default: "0" },
      seed: { type: "string" },
      "persist-to": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const mode = await startLocalMode({
    port: Number(values.port),
    emulatorPort: Number(values["emulator-port"]),
    ...(values.seed ? { seed: values.seed } : {}),
    ...(values["persist-to"] ? { persistTo: values["persist-to"] } : {}),
    echo: (line) => console.log(line),
  });
  console.log(`
Worker Factory is running locally.
  Worker:           ${mode.workerUrl}   (dashboard: ${mode.workerUrl}/  health: ${mode.workerUrl}/healthz)
  GitHub emulator:  ${mode.emulatorUrl}
  Webhook secret:   ${LOCAL_SECRETS.GITHUB_WEBHOOK_SECRET}
  Admin token:      ${LOCAL_SECRETS.ADMIN_TOKEN}
  State:            curl -H "Authorization: Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}" ${mode.workerUrl}/api/state
Ctrl-C stops it.`);
  const shutdown = (): void => {
    void mode.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
