/**
 * Picks and starts the channel for a run's agent: the built-in `codex` and `claude` kinds get
 * their live, steerable sessions unless `agentChannel` is `one-shot`; Copilot CLI and custom
 * commands are one-shot (they have no live input). Used by run-lifecycle.ts.
 */
import { buildAgentCommand, type TemplateValues } from "../agent-templates.ts";
import type { AgentConfig } from "../config.ts";
import type { AgentSession, ChannelName, SessionOptions } from "./agent-session.ts";
import { startClaudeStreamSession } from "./claude-stream.ts";
import { startCodexAppServerSession } from "./codex-app-server.ts";
import { startOneShotSession } from "./one-shot.ts";

export function channelFor(config: Pick<AgentConfig, "agent" | "agentChannel">): ChannelName {
  if (config.agentChannel === "one-shot") return "one-shot";
  if (config.agent === "codex") return "codex-app-server";
  if (config.agent === "claude") return "claude-stream";
  return "one-shot";
}

export interface StartSessionInput extends SessionOptions {
  config: Pick<AgentConfig, "agent" | "agentChannel" | "agentBin" | "agentArgs" | "agentCommand">;
  values: TemplateValues;
  lastMessageFile: string;
}

export function startSession(input: StartSessionInput): AgentSession {
  const { config } = input;
  switch (channelFor(config)) {
    case "codex-app-server":
      return startCodexAppServerSession({
        ...input,
        bin: config.agentBin ?? "codex",
        extraArgs: config.agentArgs,
      });
    case "claude-stream":
      return startClaudeStreamSession({
        ...input,
        bin: config.agentBin ?? "claude",
        extraArgs: config.agentArgs,
      });
    case "one-shot":
      return startOneShotSession({
        ...input,
        label: config.agent === "custom" ? "the custom agent command" : config.agent,
        command: buildAgentCommand({
          kind: config.agent,
          template: config.agentCommand,
          bin: config.agentBin,
          extraArgs: config.agentArgs,
          promptText: input.prompt,
          lastMessageFile: input.lastMessageFile,
          values: input.values,
        }),
      });
  }
}
