/**
 * Starts a run's agent session: the run's environment (empty HOME, tool home, `wf-scope` first
 * on PATH) and the channel — the built-in `codex` and `claude` kinds get their live, steerable
 * sessions unless `agentChannel` is `one-shot`; Copilot CLI and custom commands are one-shot
 * (they have no live input). Used by run-lifecycle.ts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { buildAgentCommand, prepareAgentEnv, type TemplateValues } from "../agent-templates.ts";
import type { AgentConfig } from "../config.ts";
import type { Logger } from "../logger.ts";
import type { AgentSession, ChannelName, SessionOptions } from "./agent-session.ts";
import { startClaudeStreamSession } from "./claude-stream.ts";
import { startCodexAppServerSession } from "./codex-app-server.ts";
import { startOneShotSession } from "./one-shot.ts";

const FALLBACK_PATH = "/usr/local/bin:/usr/bin:/bin";

export function channelFor(config: Pick<AgentConfig, "agent" | "agentChannel">): ChannelName {
  if (config.agentChannel === "one-shot") return "one-shot";
  if (config.agent === "codex") return "codex-app-server";
  if (config.agent === "claude") return "claude-stream";
  return "one-shot";
}

export interface RunSessionInput {
  config: AgentConfig;
  runId: string;
  issue: number;
  /** `<runFolder>/<runId>`: prompt file, agent.log, HOME and tool homes live in it. */
  runDir: string;
  promptFile: string;
  worktree: string;
  branch: string;
  /** Where `wf-scope` is; put first on the agent's PATH. */
  binDir: string;
  parentEnv: NodeJS.ProcessEnv;
  gitIdentity: { name: string | null; email: string | null };
  graceMs: number;
  logger: Logger;
}

export function startRunSession(input: RunSessionInput): AgentSession {
  const { config } = input;
  const values: TemplateValues = {
    promptFile: input.promptFile,
    worktree: input.worktree,
    branch: input.branch,
    runId: input.runId,
    issue: String(input.issue),
  };
  const env = prepareAgentEnv({
    kind: config.agent,
    runId: input.runId,
    runDir: input.runDir,
    parentEnv: input.parentEnv,
    extraEnv: config.agentEnv,
    values,
    gitIdentity: input.gitIdentity,
    homeTemplate: config.agentHomeTemplate,
    isRoot: process.getuid?.() === 0,
  });
  env.PATH = `${input.binDir}${path.delimiter}${env.PATH ?? FALLBACK_PATH}`;
  const options: SessionOptions = {
    prompt: readFileSync(input.promptFile, "utf8"),
    cwd: input.worktree,
    env,
    runId: input.runId,
    logFile: path.join(input.runDir, "agent.log"),
    timeoutSeconds: config.agentTimeoutSeconds,
    stallSeconds: config.stallTimeoutSeconds,
    graceMs: input.graceMs,
    logger: input.logger,
  };
  switch (channelFor(config)) {
    case "codex-app-server":
      return startCodexAppServerSession({
        ...options,
        bin: config.agentBin ?? "codex",
        extraArgs: config.agentArgs,
      });
    case "claude-stream":
      return startClaudeStreamSession({
        ...options,
        bin: config.agentBin ?? "claude",
        extraArgs: config.agentArgs,
      });
    case "one-shot":
      return startOneShotSession({
        ...options,
        label: config.agent === "custom" ? "the custom agent command" : config.agent,
        command: buildAgentCommand({
          kind: config.agent,
          template: config.agentCommand,
          bin: config.agentBin,
          extraArgs: config.agentArgs,
          promptText: options.prompt,
          lastMessageFile: path.join(input.runDir, "last-message.md"),
          values,
        }),
      });
  }
}
