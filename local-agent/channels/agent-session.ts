/**
 * One running agent session, whatever channel drives it: the process (run-agent.ts), whether new
 * text can reach it while it runs, and how it is stopped. run-lifecycle.ts starts one per agent
 * start (start-session.ts picks the channel) and steers it through this interface.
 */
import type { AgentCommand } from "../agent-templates.ts";
import type { Logger } from "../logger.ts";
import type { AgentResult, StartAgentOptions, StopWhy } from "../run-agent.ts";

/**
 * `claude-stream`: Claude Code with stream-json stdin kept open. `codex-app-server`: Codex's
 * JSON-RPC app-server. `one-shot`: the prompt once, at start (`codex exec`, `claude -p`,
 * Copilot CLI, a custom command); no live input.
 */
export type ChannelName = "claude-stream" | "codex-app-server" | "one-shot";

export type Delivery =
  | { delivered: true; detail: string }
  /** `ended`: the session was already finishing; `no_channel`: it never takes live input. */
  | { delivered: false; why: "ended" | "no_channel"; detail: string };

export interface AgentSession {
  readonly channel: ChannelName;
  /** Settles once the agent and every process of its run are gone. */
  readonly done: Promise<AgentResult>;
  /** Puts a message into the running session, read by the model at its next step. */
  deliver(text: string): Promise<Delivery>;
  /**
   * `graceful`: ask the agent to stop (its protocol's interrupt, else SIGTERM) and give it the
   * grace period before the whole tree is killed. `kill`: kill the whole tree now.
   */
  stop(mode: "kill" | "graceful", why: StopWhy): Promise<AgentResult>;
}

/** What every channel needs to start its process. */
export interface SessionOptions {
  cwd: string;
  env: Record<string, string>;
  runId: string;
  logFile: string;
  timeoutSeconds: number;
  stallSeconds: number;
  /** How long a graceful stop waits before the whole tree is killed. */
  graceMs: number;
  logger: Logger;
  /** The task prompt, as text. */
  prompt: string;
}

/** The process options every channel passes to run-agent.ts unchanged. */
export function processOptions(
  options: SessionOptions,
): Omit<StartAgentOptions, "command" | "silence" | "stdin" | "onStdoutLine"> {
  const { cwd, env, runId, logFile, timeoutSeconds, stallSeconds, logger } = options;
  return {
    cwd,
    env,
    runId,
    logFile,
    timeoutSeconds,
    stallSeconds,
    logger,
    forceKillAfterMs: options.graceMs,
  };
}

export interface StreamSessionOptions extends SessionOptions {
  /** The executable and the user's extra arguments; the channel adds its own flags. */
  bin: string;
  extraArgs: readonly string[];
}

export interface OneShotSessionOptions extends SessionOptions {
  command: AgentCommand;
  /** For the run log and the fallback's detail, e.g. "copilot". */
  label: string;
}
