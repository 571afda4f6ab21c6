/**
 * The emulator's command line: `node emulator/main.ts [--port 0] [--seed file] [--state file]
 * [--webhook-url url] [--webhook-secret s] [--git-root dir]`. Prints one `{"event":"listening","url":…}` line
 * on stdout when ready; logs go to stderr as JSON lines. Used by local mode and e2e runs.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { jsonLogger } from "./logger.ts";
import { startEmulator } from "./server.ts";

const help = `Local GitHub emulator (GraphQL Projects v2 and pull requests, org webhooks, REST checks and hook deliveries)

Usage: node emulator/main.ts [options]

  --port <n>             Port to listen on; 0 picks a free one (default 0)
  --host <addr>          Address to bind (default 127.0.0.1)
  --seed <file>          Seed JSON (default emulator/seed/phoenix-board.json)
  --state <file>         Persist state here across restarts (an existing file wins over the seed)
  --webhook-url <url>    Send org webhooks here (default: none)
  --webhook-secret <s>   Secret for X-Hub-Signature-256 (default: $GITHUB_WEBHOOK_SECRET)
  --hook-id <n>          Hook id for X-GitHub-Hook-ID and the deliveries API (default 1)
  --token <t>            Accept only this token (repeatable; default: any token)
  --rate-limit <n>       GraphQL points per hour (default 5000)
  --git-root <dir>       Serve repo owner/name from the bare git repo <dir>/<name>.git
                         (created if missing); pushes to it send GitHub's webhooks
  --help                 Show this help

Prints {"event":"listening","url":"http://127.0.0.1:PORT"} on stdout when ready.`;

const Flags = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(0),
  host: z.string().default("127.0.0.1"),
  seed: z.string().optional(),
  state: z.string().optional(),
  "webhook-url": z.url().optional(),
  "webhook-secret": z.string().optional(),
  "hook-id": z.coerce.number().int().positive().default(1),
  token: z.array(z.string().min(1)).default([]),
  "rate-limit": z.coerce.number().int().positive().default(5000),
  "git-root": z.string().min(1).optional(),
  help: z.boolean().default(false),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      state: { type: "string" },
      "webhook-url": { type: "string" },
      "webhook-secret": { type: "string" },
      "hook-id": { type: "string" },
      token: { type: "string", multiple: true },
      "rate-limit": { type: "string" },
      "git-root": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  const flags = Flags.safeParse(values);
  if (!flags.success) {
    process.stderr.write(
      `${flags.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("\n")}\n\n${help}\n`,
    );
    process.exitCode = 2;
    return;
  }
  const f = flags.data;
  if (f.help) {
    process.stdout.write(`${help}\n`);
    return;
  }
  const logger = jsonLogger();
  const webhookUrl = f["webhook-url"];
  const emulator = await startEmulator({
    port: f.port,
    host: f.host,
    ...(f.seed === undefined ? {} : { seed: f.seed }),
    ...(f.state === undefined ? {} : { statePath: f.state }),
    ...(webhookUrl === undefined
      ? {}
      : {
          webhook: {
            url: webhookUrl,
            secret: f["webhook-secret"] ?? process.env["GITHUB_WEBHOOK_SECRET"] ?? "",
            hookId: f["hook-id"],
          },
        }),
    tokens: f.token,
    rateLimit: f["rate-limit"],
    ...(f["git-root"] === undefined ? {} : { gitRoot: f["git-root"] }),
    logger,
  });
  process.stdout.write(`${JSON.stringify({ event: "listening", url: emulator.url })}\n`);
  const stop = (signal: string) => {
    logger("stopping", { signal });
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ event: "fatal", message: error instanceof Error ? error.message : String(error) })}\n`,
  );
  process.exit(1);
});
