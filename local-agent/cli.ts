/**
 * The daemon's command line: `npm run agent -- --help`. Parses flags and the config file,
 * starts the daemon with a JSON-lines logger on stderr, and stops it cleanly on SIGINT/SIGTERM.
 * `main` is exported for tests; running this file directly calls it with process.argv.
 */
import { pathToFileURL } from "node:url";
import { AgentConfigError, helpText, parseCommandLine } from "./config.ts";
import { startDaemon } from "./daemon.ts";
import { createJsonLogger } from "./logger.ts";

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv, env);
  } catch (error) {
    if (error instanceof AgentConfigError) {
      process.stderr.write(`${error.message}\n\nRun with --help for every option.\n`);
      return 2;
    }
    throw error;
  }
  if (parsed.help) {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  const { config } = parsed;
  const logger = createJsonLogger(process.stderr, config.logLevel);
  let daemon;
  try {
    daemon = await startDaemon({ config, logger, env });
  } catch (error) {
    if (error instanceof AgentConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        logger.error("forced_exit", { signal });
        resolve(130);
        return;
      }
      logger.info("signal_received", { signal });
      void daemon.stop(`the daemon received ${signal}`).then(() => resolve(0));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
