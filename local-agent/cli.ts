/**
 * The daemon's command line: `npm run agent -- --help`, and `npm run agent -- doctor`. Parses
 * flags and the config file, runs the doctor's checks (and stops with exit 1 if one fails),
 * starts the daemon with a readable logger on stderr (JSON lines with `--log-format json`),
 * sweeps old run folders, and stops cleanly on SIGINT/SIGTERM or when the Worker refuses the
 * token. Exit: 0 stopped by a signal, 1 a check failed (e.g. the Worker unreachable: worth a
 * retry), 2 bad config, 3 the Worker refused the token (no retry helps).
 * `main` is exported for tests; running this file directly calls it with process.argv.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { AgentConfigError, helpText, parseCommandLine, type AgentConfig } from "./config.ts";
import { startDaemon } from "./daemon.ts";
import { formatReport, runDoctor } from "./doctor.ts";
import { createJsonLogger, createTextLogger, type Logger } from "./logger.ts";
import { sweepRunFolders } from "./retention.ts";
import { runDirName } from "./run-lifecycle.ts";

const SWEEP_EVERY_MS = 60 * 60 * 1000;

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const doctorOnly = argv[0] === "doctor";
  let parsed;
  try {
    parsed = parseCommandLine(doctorOnly ? argv.slice(1) : argv, env);
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
  const json = config.logFormat === "json";
  const logger = json
    ? createJsonLogger(process.stderr, config.logLevel)
    : createTextLogger(process.stderr, config.logLevel);

  const report = await runDoctor(config, env);
  if (doctorOnly) {
    process.stdout.write(`${json ? JSON.stringify(report) : formatReport(report)}\n`);
    return report.ok ? 0 : report.tokenRefused ? 3 : 1;
  }
  if (!report.ok) {
    if (json)
      logger.error("doctor_failed", { checks: report.checks.filter((check) => check.status === "fail") });
    else process.stderr.write(`${formatReport(report)}\nThe daemon did not start.\n`);
    return report.tokenRefused ? 3 : 1;
  }
  logger.info("doctor_passed", { checks: report.checks.length });

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
  const started = daemon;
  const sweep = (): Promise<unknown> =>
    sweepOnce(config, logger, () => liveFolders(started, config.runFolder));
  await sweep();
  const sweeper = setInterval(() => void sweep(), SWEEP_EVERY_MS);
  sweeper.unref();
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
      clearInterval(sweeper);
      void started.stop(`the daemon received ${signal}`).then(() => resolve(0));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    void started.connection.refused.then((reason) => {
      logger.error("daemon_exiting", { reason });
      clearInterval(sweeper);
      void started.stop(reason).then(() => resolve(3));
    });
  });
}

/** Folder names the sweep must leave alone: live runs', and those whose worktree a live run uses. */
export function liveFolders(
  daemon: {
    liveRuns(): { runId: string }[];
    store: { runs(): readonly { runId: string; worktree: string | null }[] };
  },
  runFolder: string,
) {
  const folders = new Set([...daemon.liveRuns(), ...daemon.store.runs()].map((run) => runDirName(run.runId)));
  // A run that resumed an interrupted attempt works in that attempt's folder: keep it too.
  for (const { worktree } of daemon.store.runs()) {
    const folder = worktree === null ? "" : (path.relative(runFolder, worktree).split(path.sep)[0] ?? "");
    if (folder !== "" && folder !== ".." && !path.isAbsolute(folder)) folders.add(folder);
  }
  return folders;
}

async function sweepOnce(config: AgentConfig, logger: Logger, live: () => Set<string>): Promise<void> {
  try {
    await sweepRunFolders({
      runFolder: config.runFolder,
      clonePath: config.clonePath,
      policy: { keepRuns: config.keepRuns, keepDays: config.keepDays },
      live: live(),
      logger,
    });
  } catch (error) {
    logger.warn("run_folder_sweep_failed", {
      message: error instanceof Error ? error.message : String(error),
    });
  }
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
