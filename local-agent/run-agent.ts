/**
 * Runs one CLI agent process for a run with execa: cwd the worktree, stdin ignored or a pipe the
 * channel writes JSON lines to, output streamed to the run's log file (and line by line to the
 * channel), a timeout, stall detection (no output for N seconds), and a stop that takes down the
 * whole process tree. Used by the channels in channels/; the result is judged by report.ts.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { execa } from "execa";
import type { Logger } from "./logger.ts";
import { killTree } from "./process-tree.ts";
import { RUN_MARKER_VAR, type AgentCommand } from "./agent-templates.ts";

/** Why an agent process ended. */
export type AgentExit =
  | { kind: "exited"; exitCode: number; lastStderrLine: string | null; failure?: string | undefined }
  | { kind: "signaled"; signal: string; lastStderrLine: string | null }
  | { kind: "timed_out"; afterSeconds: number }
  | { kind: "stalled"; afterSeconds: number; silence: string }
  | { kind: "stopped"; why: StopWhy }
  | { kind: "spawn_failed"; message: string };

export type StopWhy = "stop" | "checkpoint";

export interface AgentProcess {
  readonly pid: number | undefined;
  /** Settles once the agent and every process of its run are gone. */
  readonly done: Promise<AgentResult>;
  /** `kill`: freeze and kill the whole tree now. `graceful`: SIGTERM the agent, SIGKILL later, then sweep. */
  stop(mode: "kill" | "graceful", why: StopWhy): Promise<AgentResult>;
  /** Records that the agent was asked to stop by its own protocol, so its exit counts as `stopped`. */
  expectStop(why: StopWhy): void;
  /** Writes one line to the agent's stdin (`stdin: "pipe"` only); false once input is closed. */
  writeLine(line: string): boolean;
  /** Closes the agent's stdin (the end of its input). */
  endInput(): void;
  readonly inputOpen: boolean;
}

export interface AgentResult {
  exit: AgentExit;
  /** PR URLs seen in the agent's output, in order. */
  prUrls: string[];
  /** Processes of the run still alive after the sweep (should be empty). */
  survivors: number[];
  /** The agent's last message, where its channel reports one (its report of the run). */
  lastMessage?: string | undefined;
}

export interface StartAgentOptions {
  command: AgentCommand;
  cwd: string;
  env: Record<string, string>;
  runId: string;
  logFile: string;
  timeoutSeconds: number;
  stallSeconds: number;
  /** What counts as life for stall detection, for the report ("no output" by default). */
  silence?: string;
  /** `pipe` keeps stdin open for a channel that writes to it; default `ignore` (/dev/null). */
  stdin?: "ignore" | "pipe";
  /** Each complete stdout line, for channels that speak JSON lines. */
  onStdoutLine?: (line: string) => void;
  /** Delay between SIGTERM and SIGKILL. */
  forceKillAfterMs?: number;
  logger: Logger;
}

const PR_URL = /https?:\/\/[^\s"'<>()\\]+?\/pull\/\d+/g;

export function findPrUrls(text: string): string[] {
  return [...text.matchAll(PR_URL)].map((m) => m[0]);
}

export function startAgent(options: StartAgentOptions): AgentProcess {
  const { logger, runId } = options;
  const marker = `${RUN_MARKER_VAR}=${runId}`;
  const controller = new AbortController();
  const log = createWriteStream(options.logFile, { flags: "a" });
  const prUrls: string[] = [];
  let tail = "";
  let lastStderrLine: string | null = null;
  let stderrPartial = "";
  let stopped: StopWhy | null = null;
  let stalled = false;
  let stallTimer: NodeJS.Timeout | undefined;

  log.write(`# ${new Date().toISOString()} ${options.command.file} ${options.command.args.length} arg(s)\n`);
  const subprocess = execa(options.command.file, options.command.args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    stdin: options.stdin ?? "ignore",
    buffer: false,
    reject: false,
    timeout: options.timeoutSeconds * 1000,
    cancelSignal: controller.signal,
    forceKillAfterDelay: options.forceKillAfterMs ?? 5000,
    cleanup: true,
  });

  const armStall = (): void => {
    if (stallTimer !== undefined) clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      stalled = true;
      logger.warn("agent_stalled", { runId, seconds: options.stallSeconds });
      void killTree(subprocess.pid, marker).then(() => controller.abort(new Error("stalled")));
    }, options.stallSeconds * 1000);
  };
  armStall();

  const onChunk = (chunk: Buffer | string, stream: "stdout" | "stderr"): void => {
    armStall();
    const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
    log.write(text);
    const window = tail + text;
    for (const url of findPrUrls(window)) if (!prUrls.includes(url)) prUrls.push(url);
    tail = window.slice(-300);
    if (stream === "stderr") {
      const lines = (stderrPartial + text).split(/\r?\n/);
      stderrPartial = lines.pop() ?? "";
      const last = lines.filter((line) => line.trim() !== "").at(-1);
      if (last !== undefined) lastStderrLine = last.trim();
    }
  };
  subprocess.stdout?.on("data", (chunk: Buffer) => onChunk(chunk, "stdout"));
  subprocess.stderr?.on("data", (chunk: Buffer) => onChunk(chunk, "stderr"));
  const onLine = options.onStdoutLine;
  if (onLine !== undefined && subprocess.stdout !== null)
    createInterface({ input: subprocess.stdout, crlfDelay: Infinity }).on("line", onLine);
  let inputOpen = options.stdin === "pipe" && subprocess.stdin !== null;
  // A closed pipe (the agent exited) must not crash the daemon; writeLine reports it instead.
  subprocess.stdin?.on("error", () => {
    inputOpen = false;
  });

  const done = (async (): Promise<AgentResult> => {
    const result = await subprocess;
    if (stallTimer !== undefined) clearTimeout(stallTimer);
    // Whatever ended the agent, nothing of its run may outlive it.
    const sweep = await killTree(undefined, marker);
    const survivors = sweep.ok ? [] : sweep.survivors;
    if (stderrPartial.trim() !== "") lastStderrLine = stderrPartial.trim();
    log.write(
      `\n# ${new Date().toISOString()} agent ended: ${result.shortMessage ?? `exit ${result.exitCode}`}\n`,
    );
    log.end();
    await once(log, "close").catch(() => undefined);
    let exit: AgentExit;
    if (stopped !== null) exit = { kind: "stopped", why: stopped };
    else if (stalled)
      exit = { kind: "stalled", afterSeconds: options.stallSeconds, silence: options.silence ?? "no output" };
    else if (result.timedOut) exit = { kind: "timed_out", afterSeconds: options.timeoutSeconds };
    else if (result.exitCode === undefined && result.signal === undefined)
      exit = {
        kind: "spawn_failed",
        message: result.shortMessage ?? result.message ?? "could not start the agent",
      };
    else if (result.exitCode !== undefined)
      exit = { kind: "exited", exitCode: result.exitCode, lastStderrLine };
    else exit = { kind: "signaled", signal: result.signal ?? "unknown", lastStderrLine };
    logger.info("agent_ended", { runId, exit, survivors, durationMs: result.durationMs });
    return { exit, prUrls, survivors };
  })();

  void done.then(() => {
    inputOpen = false;
  });

  return {
    pid: subprocess.pid,
    done,
    get inputOpen() {
      return inputOpen;
    },
    expectStop(why) {
      if (stopped === null && !stalled) stopped = why;
    },
    writeLine(line) {
      if (!inputOpen || subprocess.stdin === null) return false;
      subprocess.stdin.write(`${line}\n`);
      return true;
    },
    endInput() {
      if (!inputOpen) return;
      inputOpen = false;
      subprocess.stdin?.end();
    },
    async stop(mode, why) {
      if (stopped === null && !stalled) stopped = why;
      if (mode === "kill") {
        await killTree(subprocess.pid, marker);
        controller.abort(new Error(why));
      } else {
        controller.abort(new Error(why));
      }
      return done;
    },
  };
}
