/**
 * A webhook receiver on loopback for notification tests: records every POST body, answers
 * with the status it is told to (`POST /_sink/status {"status": 500}`), and lists what it got
 * (`GET /_sink/received`). Used by the workerd tests' global setup and the end-to-end tests.
 */
import { createServer, type Server } from "node:http";
import { once } from "node:events";

export interface NotificationSink {
  url: string;
  received: () => unknown[];
  close: () => Promise<void>;
}

export async function startNotificationSink(): Promise<NotificationSink> {
  const received: unknown[] = [];
  let status = 200;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const reply = (code: number, body: unknown): void => {
        response.writeHead(code, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
      };
      if (request.url === "/_sink/received") return reply(200, received);
      if (request.url === "/_sink/status") {
        status = (JSON.parse(text) as { status: number }).status;
        return reply(200, { status });
      }
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Recorded as text: a test then sees the sender did not send JSON.
      }
      received.push(body);
      reply(status, status < 300 ? { ok: true } : { error: "sink told to refuse" });
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("sink has no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    received: () => [...received],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
