/**
 * A scripted model endpoint on 127.0.0.1 that speaks just enough of the OpenAI Responses API
 * (`POST /v1/responses`, streamed as SSE) for Codex CLI to finish one turn: it answers a new
 * task with one `exec_command` tool call, and the tool's output with a final assistant message.
 * It records every request so a test can check what the agent sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";

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
const ResponsesRequest = z.looseObject({
  model: z.string(),
  stream: z.boolean().optional(),
  input: z.array(InputItem),
  tools: z.array(z.looseObject({ type: z.string(), name: z.string().optional() })).optional(),
});
export type ResponsesRequest = z.infer<typeof ResponsesRequest>;

export interface RecordedRequest {
  method: string;
  path: string;
  /** The `authorization` header, e.g. `Bearer <the key named by the provider's env_key>`. */
  authorization: string | null;
  /** The parsed body of a well-formed `POST /v1/responses`, else null. */
  body: ResponsesRequest | null;
  /** What the server answered: `tool_call`, `final_message`, or the error it sent back. */
  answer: string;
}

export interface ScriptOptions {
  /** Shell command the model asks the agent to run in its working directory. */
  command: string;
  /** Text of the final assistant message, sent once the command's output comes back. */
  finalMessage: string;
}

export interface ScriptedModelServer {
  /** Base URL for a provider config, ending in `/v1`. */
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** The text of every user message in a request, in order. */
export function userText(body: ResponsesRequest): string {
  const texts: string[] = [];
  for (const item of body.input) {
    const message = MessageItem.safeParse(item);
    if (!message.success || message.data.role !== "user") continue;
    const { content } = message.data;
    if (typeof content === "string") texts.push(content);
    else for (const part of content) if (part.text !== undefined) texts.push(part.text);
  }
  return texts.join("\n");
}

/** The output the agent sent back for a tool call, as text, or null if there is none. */
export function toolOutput(body: ResponsesRequest, callId: string): string | null {
  for (const item of body.input) {
    const output = FunctionCallOutputItem.safeParse(item);
    if (output.success && output.data.call_id === callId) {
      const value = output.data.output;
      return typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return null;
}

const CALL_ID = "call_scripted_1";
const usage = {
  input_tokens: 1,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 1,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 2,
};

/** The SSE events of one response holding a single output item. */
function sseForItem(responseId: string, item: Record<string, unknown>): string {
  const events = [
    { type: "response.created", response: { id: responseId } },
    { type: "response.output_item.added", output_index: 0, item },
    { type: "response.output_item.done", output_index: 0, item },
    { type: "response.completed", response: { id: responseId, usage } },
  ];
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join("");
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** Answers with a 400 (not retried by Codex) whose message says what was wrong. */
function fail(response: ServerResponse, message: string): string {
  response.writeHead(400, { "content-type": "application/json" });
  response.end(
    JSON.stringify({
      error: { message: `scripted model server: ${message}`, type: "invalid_request_error" },
    }),
  );
  return `error: ${message}`;
}

export async function startScriptedModelServer(script: ScriptOptions): Promise<ScriptedModelServer> {
  const requests: RecordedRequest[] = [];
  let responses = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<RecordedRequest> => {
    const method = request.method ?? "";
    const path = (request.url ?? "").split("?")[0] ?? "";
    const authorization = request.headers.authorization ?? null;
    const text = await readBody(request);
    if (method !== "POST" || path !== "/v1/responses") {
      return {
        method,
        path,
        authorization,
        body: null,
        answer: fail(response, `no route ${method} ${path}`),
      };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { method, path, authorization, body: null, answer: fail(response, "body is not JSON") };
    }
    const parsed = ResponsesRequest.safeParse(json);
    if (!parsed.success) {
      return {
        method,
        path,
        authorization,
        body: null,
        answer: fail(response, `unexpected body: ${parsed.error.message}`),
      };
    }
    const body = parsed.data;
    if (body.stream !== true)
      return { method, path, authorization, body, answer: fail(response, "only stream: true is scripted") };

    const responseId = `resp_scripted_${++responses}`;
    let answer: string;
    let item: Record<string, unknown>;
    if (toolOutput(body, CALL_ID) !== null) {
      answer = "final_message";
      item = {
        type: "message",
        id: `msg_scripted_${responses}`,
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: script.finalMessage, annotations: [] }],
      };
    } else if (userText(body) !== "") {
      const hasTool = body.tools?.some((tool) => tool.name === "exec_command") ?? false;
      if (!hasTool)
        return {
          method,
          path,
          authorization,
          body,
          answer: fail(response, "the request offers no exec_command tool"),
        };
      answer = "tool_call";
      item = {
        type: "function_call",
        id: `fc_scripted_${responses}`,
        call_id: CALL_ID,
        name: "exec_command",
        arguments: JSON.stringify({ cmd: script.command, login: false, tty: false, yield_time_ms: 30_000 }),
        status: "completed",
      };
    } else {
      return {
        method,
        path,
        authorization,
        body,
        answer: fail(response, "neither a user message nor the scripted tool's output"),
      };
    }
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    response.end(sseForItem(responseId, item));
    return { method, path, authorization, body, answer };
  };

  const server = createServer((request, response) => {
    handle(request, response).then(
      (recorded) => requests.push(recorded),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        requests.push({
          method: request.method ?? "",
          path: request.url ?? "",
          authorization: request.headers.authorization ?? null,
          body: null,
          answer: `error: ${message}`,
        });
        if (!response.headersSent) fail(response, message);
        else response.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
