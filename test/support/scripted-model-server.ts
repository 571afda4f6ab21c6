/**
 * A scripted model endpoint on 127.0.0.1 for the real agent CLIs: the OpenAI Responses API
 * (`POST /v1/responses`) for Codex and the Anthropic Messages API (`POST /v1/messages`) for
 * Claude Code, both streamed as SSE. It answers each request with the script's step for the
 * conversation so far (a shell tool call, a final message, or silence) and records every
 * request, with the conversation's text, so a test can check what the agent sent and when.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  MessagesRequest,
  messagesAnswer,
  messagesText,
  messagesToolResults,
  offersBash,
} from "./anthropic-messages.ts";
import { answerLabel, scriptSteps, stepFor, type ScriptOptions } from "./model-script.ts";
import {
  offersExecCommand,
  ResponsesRequest,
  responsesAnswer,
  responsesText,
  responsesToolOutputs,
} from "./responses-api.ts";

export { toolOutput, userText, type ResponsesRequest } from "./responses-api.ts";
export type { ScriptOptions, ScriptStep } from "./model-script.ts";

export interface RecordedRequest {
  method: string;
  path: string;
  api: "responses" | "messages" | null;
  /** `authorization`, or Anthropic's `x-api-key` as `Bearer <key>`. */
  authorization: string | null;
  /** The parsed body of a well-formed `POST /v1/responses`, else null. */
  body: ResponsesRequest | null;
  /** Every text of the conversation the request carried (messages of any role, tool outputs). */
  text: string;
  /** What the server answered: `tool_call`, `final_message`, `hang`, or the error it sent back. */
  answer: string;
  /** When the request arrived (ms since the epoch). */
  at: number;
}

export interface ScriptedModelServer {
  /** Base URL for a Codex provider config, ending in `/v1`. */
  baseUrl: string;
  /** ANTHROPIC_BASE_URL for Claude Code (no `/v1`). */
  anthropicBaseUrl: string;
  requests: RecordedRequest[];
  /** Resolves with the first recorded request (already in or still to come) that matches. */
  waitForRequest(match: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** Answers with a 400 (retried by neither CLI) whose message says what was wrong. */
function fail(response: ServerResponse, message: string): string {
  response.writeHead(400, { "content-type": "application/json" });
  response.end(
    JSON.stringify({
      type: "error",
      error: { message: `scripted model server: ${message}`, type: "invalid_request_error" },
    }),
  );
  return `error: ${message}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function startScriptedModelServer(script: ScriptOptions): Promise<ScriptedModelServer> {
  const steps = scriptSteps(script);
  const requests: RecordedRequest[] = [];
  const waiters = new Set<(request: RecordedRequest) => void>();
  let answered = 0;

  type Answer = Pick<RecordedRequest, "api" | "body" | "text" | "answer">;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<Answer> => {
    const method = request.method ?? "";
    const path = (request.url ?? "").split("?")[0] ?? "";
    const raw = await readBody(request);
    // Claude Code checks that the endpoint answers before its first request.
    if (method === "HEAD") {
      response.writeHead(200).end();
      return { api: null, body: null, text: "", answer: "head" };
    }
    const json = parseJson(raw);
    const n = ++answered;
    if (method === "POST" && path === "/v1/responses") {
      const parsed = ResponsesRequest.safeParse(json);
      if (!parsed.success)
        return { api: "responses", body: null, text: "", answer: fail(response, "unexpected body") };
      const body = parsed.data;
      const text = responsesText(body);
      const step = stepFor(steps, responsesToolOutputs(body));
      const reply = (answer: string): Answer => ({ api: "responses", body, text, answer });
      if (body.stream !== true) return reply(fail(response, "only stream: true is scripted"));
      if ("command" in step && !offersExecCommand(body))
        return reply(fail(response, "the request offers no exec_command tool"));
      if ("hang" in step) return reply("hang");
      const calls = responsesToolOutputs(body) + 1;
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      response.end(
        responsesAnswer(step, {
          response: `resp_scripted_${n}`,
          item: `item_scripted_${n}`,
          call: `call_scripted_${calls}`,
        }),
      );
      return reply(answerLabel(step));
    }
    if (method === "POST" && path === "/v1/messages") {
      const parsed = MessagesRequest.safeParse(json);
      if (!parsed.success)
        return { api: "messages", body: null, text: "", answer: fail(response, "unexpected body") };
      const body = parsed.data;
      const text = messagesText(body);
      const step = stepFor(steps, messagesToolResults(body));
      const reply = (answer: string): Answer => ({ api: "messages", body: null, text, answer });
      if ("command" in step && !offersBash(body))
        return reply(fail(response, "the request offers no Bash tool"));
      if ("hang" in step) return reply("hang");
      const ids = { message: `msg_scripted_${n}`, tool: `toolu_scripted_${messagesToolResults(body) + 1}` };
      const answer = messagesAnswer(step, ids, body.model, body.stream === true);
      response.writeHead(200, { "content-type": answer.contentType, "cache-control": "no-cache" });
      response.end(answer.body);
      return reply(answerLabel(step));
    }
    return { api: null, body: null, text: "", answer: fail(response, `no route ${method} ${path}`) };
  };

  const record = (request: IncomingMessage, answer: Answer, at: number): void => {
    const apiKey = request.headers["x-api-key"];
    const recorded: RecordedRequest = {
      method: request.method ?? "",
      path: (request.url ?? "").split("?")[0] ?? "",
      authorization:
        request.headers.authorization ?? (typeof apiKey === "string" ? `Bearer ${apiKey}` : null),
      at,
      ...answer,
    };
    requests.push(recorded);
    for (const waiter of [...waiters]) waiter(recorded);
  };

  const server = createServer((request, response) => {
    const at = Date.now();
    handle(request, response).then(
      (answer) => record(request, answer, at),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (!response.headersSent) fail(response, message);
        else response.end();
        record(request, { api: null, body: null, text: "", answer: `error: ${message}` }, at);
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
    anthropicBaseUrl: `http://127.0.0.1:${port}`,
    requests,
    waitForRequest(match, timeoutMs = 60_000) {
      const seen = requests.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seenSoFar = requests.map((r) => `${r.method} ${r.path}: ${r.answer}`).join(", ");
          reject(new Error(`no matching model request within ${timeoutMs} ms; saw: ${seenSoFar}`));
        }, timeoutMs);
        const waiter = (recorded: RecordedRequest): void => {
          if (!match(recorded)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(recorded);
        };
        waiters.add(waiter);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
