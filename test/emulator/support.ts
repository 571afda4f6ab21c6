/**
 * Helpers for the emulator tests: a GraphQL call that returns status, headers and the
 * parsed body, and a real HTTP server on a free port that records webhook deliveries
 * and lets a test wait for the next one (no sleeps).
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { z } from "zod";

export interface GraphqlReply {
  status: number;
  headers: Headers;
  body: {
    data?: unknown;
    errors?: { message: string; type?: string; path?: unknown[]; locations?: unknown[] }[];
  };
}

const Reply = z.object({
  data: z.unknown().optional(),
  errors: z
    .array(
      z.looseObject({
        message: z.string(),
        type: z.string().optional(),
        path: z.array(z.unknown()).optional(),
        locations: z.array(z.unknown()).optional(),
      }),
    )
    .optional(),
});

export async function graphql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  authorization: string | null = "bearer test-token",
): Promise<GraphqlReply> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(authorization === null ? {} : { authorization }) },
    body: JSON.stringify({ query, variables }),
  });
  const json: unknown = await response.json();
  return { status: response.status, headers: response.headers, body: Reply.parse(json) };
}

/** Reads a nested value for assertions: `at(data, "organization", "projectV2", "id")`. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = Reflect.get(current, key);
  }
  return current;
}

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

export interface HookReceiver {
  url: string;
  received: ReceivedHook[];
  /** Resolves with the n-th delivery (0-based) once it has arrived. */
  nth(index: number, timeoutMs?: number): Promise<ReceivedHook>;
  close(): Promise<void>;
}

export async function startHookReceiver(status = 200): Promise<HookReceiver> {
  const received: ReceivedHook[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ headers: request.headers, body, json: JSON.parse(body) });
      response.writeHead(status, { "content-type": "application/json" }).end('{"status":"accepted"}');
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("receiver has no TCP address");
  const port = address.port;
  return {
    url: `http://127.0.0.1:${port}/webhooks/github`,
    received,
    nth: (index, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`webhook ${index} did not arrive`)), timeoutMs);
        const check = () => {
          const hook = received[index];
          if (hook !== undefined) {
            clearTimeout(timer);
            resolve(hook);
          } else {
            waiters.push(check);
          }
        };
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
