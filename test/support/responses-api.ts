/**
 * The OpenAI Responses API side of the scripted model endpoint (`POST /v1/responses`, streamed
 * as SSE), for Codex CLI pointed at it through a custom provider: the request schema, the
 * conversation's text and tool outputs, and the events of one answer.
 */
import { z } from "zod";
import type { ScriptStep } from "./model-script.ts";

const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });
const MessageItem = z.looseObject({
  type: z.literal("message"),
  role: z.string(),
  content: z.union([z.string(), z.array(ContentPart)]),
});
const FunctionCallOutputItem = z.looseObject({
  type: z.literal("function_call_output"),
  call_id: z.string(),
  output: z.unknown(),
});
const InputItem = z.union([MessageItem, FunctionCallOutputItem, z.looseObject({ type: z.string() })]);
export const ResponsesRequest = z.looseObject({
  model: z.string(),
  stream: z.boolean().optional(),
  input: z.array(InputItem),
  tools: z.array(z.looseObject({ type: z.string(), name: z.string().optional() })).optional(),
});
export type ResponsesRequest = z.infer<typeof ResponsesRequest>;

function messageTexts(body: ResponsesRequest, role: (role: string) => boolean): string[] {
  const texts: string[] = [];
  for (const item of body.input) {
    const message = MessageItem.safeParse(item);
    if (!message.success || !role(message.data.role)) continue;
    const { content } = message.data;
    if (typeof content === "string") texts.push(content);
    else for (const part of content) if (part.text !== undefined) texts.push(part.text);
  }
  return texts;
}

/** The text of every user message in a request, in order. */
export function userText(body: ResponsesRequest): string {
  return messageTexts(body, (role) => role === "user").join("\n");
}

function outputText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The output the agent sent back for a tool call, as text, or null if there is none. */
export function toolOutput(body: ResponsesRequest, callId: string): string | null {
  for (const item of body.input) {
    const output = FunctionCallOutputItem.safeParse(item);
    if (output.success && output.data.call_id === callId) return outputText(output.data.output);
  }
  return null;
}

export function responsesToolOutputs(body: ResponsesRequest): number {
  return body.input.filter((item) => FunctionCallOutputItem.safeParse(item).success).length;
}

/** Every text of the conversation (messages of any role, tool outputs), in order. */
export function responsesText(body: ResponsesRequest): string {
  const texts: string[] = [];
  for (const item of body.input) {
    const output = FunctionCallOutputItem.safeParse(item);
    if (output.success) texts.push(outputText(output.data.output));
    else texts.push(...messageTexts({ ...body, input: [item] }, () => true));
  }
  return texts.join("\n");
}

export function offersExecCommand(body: ResponsesRequest): boolean {
  return body.tools?.some((tool) => tool.name === "exec_command") ?? false;
}

const usage = {
  input_tokens: 1,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 1,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 2,
};

/** The SSE events of one response holding the step's single output item. */
export function responsesAnswer(
  step: Exclude<ScriptStep, { hang: true }>,
  ids: { response: string; item: string; call: string },
): string {
  const item =
    "command" in step
      ? {
          type: "function_call",
          id: ids.item,
          call_id: ids.call,
          name: "exec_command",
          arguments: JSON.stringify({ cmd: step.command, login: false, tty: false, yield_time_ms: 30_000 }),
          status: "completed",
        }
      : {
          type: "message",
          id: ids.item,
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: step.message, annotations: [] }],
        };
  const events = [
    { type: "response.created", response: { id: ids.response } },
    { type: "response.output_item.added", output_index: 0, item },
    { type: "response.output_item.done", output_index: 0, item },
    { type: "response.completed", response: { id: ids.response, usage } },
  ];
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join("");
}
