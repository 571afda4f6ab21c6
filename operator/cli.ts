#!/usr/bin/env node
/**
 * `wf`, the operator CLI (`npx wf <command>`, the package's bin): runs the factory from a
 * terminal over the operator API. Parses with node:util's parseArgs, prints for people by
 * default and JSON with `--json`, and exits 0 on success, 1 on a failure, 2 on a usage
 * error, 4 when the admin token is refused (as `gh` does). `main` is exported for tests.
 */
import { realpathSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { pathToFileURL } from "node:url";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { ApiClient, ApiError } from "./api-client.ts";
import { COMMANDS, type Io } from "./commands.ts";
import { resolveSettings, UsageError } from "./settings.ts";

const GLOBAL: ParseArgsOptionsConfig = {
  url: { type: "string" },
  token: { type: "string" },
  config: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

function helpText(): string {
  const width = Math.max(...Object.values(COMMANDS).map((command) => command.usage.split(" |")[0]!.length));
  return [
    "wf — operate Worker Factory: see what runs and waits, and act on items.",
    "",
    "Usage: wf <command> [arguments] [--json] [--url URL] [--token TOKEN] [--config FILE]",
    "",
    "Commands:",
    ...Object.values(COMMANDS).map(
      (command) => `  ${command.usage.split(" |")[0]!.padEnd(width)}  ${command.summary}`,
    ),
    "",
    "Items are named owner/repo#N. `wf <command> --help` shows a command's full usage.",
    "The Worker URL and admin token come from --url/--token, else WORKER_FACTORY_URL and",
    'WORKER_FACTORY_ADMIN_TOKEN, else {"url", "token"} in --config, WORKER_FACTORY_CONFIG or',
    "~/.config/worker-factory/wf.json. Who `wf claim`, `renew` and `unclaim` act for: --as, else",
    '"owner" in that file, else git config user.name.',
    "Exit status: 0 done, 1 failed (the Worker refused or could not be reached), 2 usage error,",
    "4 admin token refused.",
  ].join("\n");
}

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Io & { err: (text: string) => void },
): Promise<number> {
  // First pass: find the command; the second parses its own options strictly.
  const loose = parseArgs({ args: [...argv], options: GLOBAL, allowPositionals: true, strict: false });
  const name = loose.positionals[0];
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) {
    if (name === undefined && loose.values.help === true) {
      io.out(helpText());
      return 0;
    }
    io.err(name === undefined ? helpText() : `wf: unknown command "${name}"\n\n${helpText()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...GLOBAL, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.err(`wf ${name}: ${(error as Error).message}\nUsage: ${command.usage}`);
    return 2;
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help === true) {
    io.out(`Usage: ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  try {
    const settings = resolveSettings(
      {
        url: values.url as string | undefined,
        token: values.token as string | undefined,
        config: values.config as string | undefined,
      },
      env,
    );
    await command.run({
      client: new ApiClient(settings),
      json: values.json === true,
      io,
      env,
      args: parsed.positionals.slice(1),
      values,
    });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`wf ${name}: ${error.message}`);
      return 2;
    }
    if (error instanceof ApiError) {
      io.err(`wf ${name}: ${error.message}${error.status === null ? "" : ` (HTTP ${error.status})`}`);
      return error.status === 401 ? 4 : 1;
    }
    throw error;
  }
}

function terminalConfirm(): Io["confirm"] {
  if (!process.stdin.isTTY) return null;
  return async (question) => {
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await prompt.question(`${question} [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      prompt.close();
    }
  };
}

// Compared by real path: npx and npm link run the bin through a symlink.
const invoked = process.argv[1] === undefined ? "" : realpathSync(process.argv[1]);
if (import.meta.url === pathToFileURL(invoked).href) {
  main(process.argv.slice(2), process.env, {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    confirm: terminalConfirm(),
    now: Date.now,
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `wf: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
