/**
 * The one-shot channel: the agent gets its prompt once, at start, and stdin is /dev/null (as
 * `codex exec` needs: it reads a stdin pipe to EOF). Used for Copilot CLI, custom commands, and
 * `codex exec` / `claude -p` when `agentChannel` is `one-shot`. It has no live input, so steering
 * falls back to a checkpoint and restart (run-lifecycle.ts).
 */
import { startAgent } from "../run-agent.ts";
import { processOptions, type AgentSession, type OneShotSessionOptions } from "./agent-session.ts";

export function startOneShotSession(options: OneShotSessionOptions): AgentSession {
  const agent = startAgent({ ...processOptions(options), command: options.command });
  return {
    channel: "one-shot",
    done: agent.done,
    deliver: () =>
      Promise.resolve({
        delivered: false,
        why: "no_channel",
        detail: `${options.label} takes its prompt once, at start (no live input channel)`,
      }),
    stop: (mode, why) => agent.stop(mode, why),
  };
}
