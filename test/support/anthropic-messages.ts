/**
 * The Anthropic Messages API side of the scripted model endpoint (`POST /v1/messages`, streamed
 * as SSE the way the API streams), for Claude Code pointed at it with ANTHROPIC_BASE_URL:
 * the request schema, the conversation's text and tool results, and the events of one answer.
 */
import { z } from "zod";
import type { ScriptStep } from "./model-script.ts";

const Block = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  content: z
    .union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))])
    .optional(),
});
const Message = z.looseObject({ role: z.string(), content: z.union([z.string(), z.array(Block)]) });
export const MessagesRequest = z.looseObject({
  model: z.string(),
  stream: z.boolean().optional(),
  messages: z.array(Message),
  tools: z.array(z.looseObject({ name: z.string().optional() })).optional(),
});
export type MessagesRequest = z.infer<typeof MessagesRequest>;

function blockText(block: z.infer<typeof Block>): string[] {
  if (block.text !== undefined) return [block.text];
  if (typeof block.content === "string") return [block.content];
  return (block.content ?? []).flatMap((part) => (part.text === undefined ? [] : [part.text]));
}

/** Every text of the conversation (user and system messages, tool results), in order. */
export function messagesText(body: MessagesRequest): string {
  return body.messages
    .flatMap((message) =>
      typeof message.content === "string" ? [message.content] : message.content.flatMap(blockText),
    )
    .join("\n");
}

export function messagesToolResults(body: MessagesRequest): number {
  return body.messages.reduce(
    (count, message) =>
      count +
      (typeof message.content === "string"
        ? 0
        : message.content.filter((b) => b.type === "tool_result").length),
    0,
  );
}

export function offersBash(body: MessagesRequest): boolean {
  return body.tools?.some((tool) => tool.name === "Bash") ?? false;
}

/** The answer to one request, as SSE events (stream) or one JSON message. */
export function messagesAnswer(
  step: Exclude<ScriptStep, { hang: true }>,
  ids: { message: string; tool: string },
  model: string,
  stream: boolean,
): { contentType: string; body: string } {
  const usage = { input_tokens: 1, output_tokens: 1 };
  const block =
    "command" in step
      ? { type: "tool_use", id: ids.tool, name: "Bash", input: { command: step.command } }
      : { type: "text", text: step.message };
  const stopReason = "command" in step ? "tool_use" : "end_turn";
  if (!stream) {
    return {
      contentType: "application/json",
      body: JSON.stringify({
        id: ids.message,
        type: "message",
        role: "assistant",
        model,
        content: [block],
        stop_reason: stopReason,
        stop_sequence: null,
        usage,
      }),
    };
  }
  const start = block.type === "tool_use" ? { ...block, input: {} } : { ...block, text: "" };
  const delta =
    "command" in step
      ? { type: "input_json_delta", partial_json: JSON.stringify({ command: step.command }) }
      : { type: "text_delta", text: step.message };
  const events = [
    {
      type: "message_start",
      message: {
        id: ids.message,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage,
      },
    },
    { type: "content_block_start", index: 0, content_block: start },
    { type: "content_block_delta", index: 0, delta },
    { type: "content_block_stop", index: 0 },
    {
      type: "message_delta",
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: 1 },
    },
    { type: "message_stop" },
  ];
  return {
    contentType: "text/event-stream",
    body: events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join(""),
  };
}
