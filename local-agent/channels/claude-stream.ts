/**
 * The live channel to Claude Code: `claude -p --input-format stream-json --output-format
 * stream-json …` with stdin kept open. The first stdin line is the task prompt; each steering
 * message is one more `{"type":"user",…}` line, which Claude reads at its next model request.
 * Checked with the real CLI (shared/reference/live-steering.md). Used by start-session.ts.
 */
import { z } from "zod";
import { startAgent, type AgentResult } from "../run-agent.ts";
import { processOptions, type AgentSession, type StreamSessionOptions } from "./agent-session.ts";

/** `--replay-user-messages` echoes each stdin message when Claude takes it in: our receipt. */
export function claudeStreamArgs(extraArgs: readonly string[]): string[] {
  return [
    "-p",
    "--input-format",
    "stream-json",
    "--output-format",
    "stream-json",
    "--verbose",
    "--permission-mode",
    "bypassPermissions",
    "--no-session-persistence",
    "--replay-user-messages",
    ...extraArgs,
  ];
}

/**
 * One stdin line. Only JSON.stringify output, one line per message: a line that is not JSON
 * kills the session, and a JSON line of another shape is dropped without a word.
 */
export function userMessageLine(text: string): string {
  return JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "text", text }] } });
}

const StreamEvent = z.looseObject({
  type: z.string(),
  subtype: z.string().optional(),
  isReplay: z.boolean().optional(),
  is_error: z.boolean().optional(),
  result: z.string().optional(),
});

function parseEvent(line: string): z.infer<typeof StreamEvent> | null {
  try {
    const parsed = StreamEvent.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function startClaudeStreamSession(options: StreamSessionOptions): AgentSession {
  const { logger } = options;
  let written = 0;
  let echoed = 0;
  let failure: string | undefined;
  let lastMessage: string | undefined;

  const agent = startAgent({
    ...processOptions(options),
    command: { file: options.bin, args: claudeStreamArgs(options.extraArgs) },
    silence: "no output and no stream-json events",
    stdin: "pipe",
    onStdoutLine(line) {
      const event = parseEvent(line);
      if (event === null) return;
      if (event.type === "user" && event.isReplay === true) {
        echoed++;
        if (echoed > 1) logger.info("steer_consumed", { channel: "claude-stream", echoed, written });
      } else if (event.type === "result") {
        if (event.is_error !== true && event.result !== undefined) lastMessage = event.result;
        failure =
          event.is_error === true ? `Claude Code: ${event.result ?? event.subtype ?? "error"}` : undefined;
        // A message that raced the end of the turn becomes a turn of its own: wait for its result.
        if (echoed >= written) agent.endInput();
        else logger.info("claude_result_with_input_outstanding", { echoed, written });
      }
    },
  });

  const write = (text: string): boolean => {
    if (!agent.writeLine(userMessageLine(text))) return false;
    written++;
    return true;
  };
  write(options.prompt);

  const done = agent.done.then((result): AgentResult => ({
    ...(result.exit.kind === "exited" && failure !== undefined
      ? { ...result, exit: { ...result.exit, failure } }
      : result),
    lastMessage,
  }));

  return {
    channel: "claude-stream",
    done,
    deliver(text) {
      if (!write(text))
        return Promise.resolve({
          delivered: false,
          why: "ended",
          detail: "the Claude Code session had already finished its last turn",
        });
      return Promise.resolve({
        delivered: true,
        detail: "sent to Claude Code's stream-json input; the model reads it at its next request",
      });
    },
    async stop(mode, why) {
      await agent.stop(mode, why);
      return done;
    },
  };
}
