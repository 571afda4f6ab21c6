/**
 * The local channel through which a run's agent asks for more scope: an HTTP server on
 * 127.0.0.1 (a free port) that only holders of the run's secret may use, and the `wf-scope`
 * command in `<runDir>/bin` (put first on the agent's PATH) that knows the port and secret.
 * A loopback port rather than a unix socket, since socket paths are capped at ~108 bytes and run
 * folders can be deep. Used by run-lifecycle.ts; the command itself is wf-scope.ts.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Logger } from "./logger.ts";
import type { ScopeVerdict } from "./scope-requests.ts";

export const ScopeAsk = z
  .object({
    paths: z.array(z.string().min(1).max(1000)).min(1, "name at least one path").max(100),
    reason: z.string().max(2000).default(""),
  })
  .strict();

/** What `wf-scope` prints: the verdict and the scope the run holds after it. */
export const ScopeAnswer = z.object({
  granted: z.boolean(),
  final: z.boolean(),
  reason: z.string(),
  lockKeys: z.array(z.string()),
  paths: z.array(z.string()),
});
export type ScopeAnswer = z.infer<typeof ScopeAnswer>;

export const ScopeView = z.object({
  area: z.string(),
  lockScope: z.string(),
  lockKeys: z.array(z.string()),
  neededFiles: z.array(z.string()),
});
export type ScopeView = z.infer<typeof ScopeView>;

export interface ScopeServerOptions {
  runDir: string;
  worktree: string;
  logger: Logger;
  /** How long the command waits for the verdict (the server's own wait is shorter). */
  waitSeconds: number;
  request(paths: string[], reason: string): Promise<ScopeVerdict>;
  /** Called once the agent has the verdict in hand (so a refusal stops the run only after that). */
  answered(verdict: ScopeVerdict, paths: string[]): void;
  view(): ScopeView;
}

export interface ScopeServer {
  /** The folder to put first on the agent's PATH. */
  binDir: string;
  close(): Promise<void>;
}

const WF_SCOPE_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "wf-scope.ts");

/** Repo-relative form of a path the agent named; null when it points outside the worktree. */
export function normalizeScopePath(worktree: string, raw: string): string | null {
  const absolute = path.resolve(worktree, raw.trim());
  const relative = path.relative(worktree, absolute);
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) return null;
  return relative.split(path.sep).join("/");
}

function secretMatches(header: string | undefined, secret: string): boolean {
  const given = Buffer.from(header ?? "");
  const expected = Buffer.from(`Bearer ${secret}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function send(response: ServerResponse, status: number, body: unknown, then?: () => void): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body), then);
}

async function readJson(request: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limit) throw new Error(`body over ${limit} bytes`);
    chunks.push(buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

export async function startScopeServer(options: ScopeServerOptions): Promise<ScopeServer> {
  const secret = randomBytes(24).toString("base64url");
  const { logger } = options;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (!secretMatches(request.headers.authorization, secret))
      return send(response, 401, { error: "wrong or missing run secret" });
    if (request.method === "GET" && request.url === "/scope") return send(response, 200, options.view());
    if (request.method !== "POST" || request.url !== "/scope/request")
      return send(response, 404, { error: `no route ${request.method ?? ""} ${request.url ?? ""}` });
    let raw: unknown;
    try {
      raw = await readJson(request, 64 * 1024);
    } catch (error) {
      return send(response, 400, {
        error: `body is not JSON: ${error instanceof Error ? error.message : ""}`,
      });
    }
    const ask = ScopeAsk.safeParse(raw);
    if (!ask.success)
      return send(response, 400, { error: ask.error.issues.map((issue) => issue.message).join("; ") });
    const paths: string[] = [];
    for (const given of ask.data.paths) {
      const normalized = normalizeScopePath(options.worktree, given);
      if (normalized === null) return send(response, 400, { error: `${given} is outside the worktree` });
      if (!paths.includes(normalized)) paths.push(normalized);
    }
    logger.info("scope_requested", { paths, reason: ask.data.reason });
    const verdict = await options.request(paths, ask.data.reason);
    const answer: ScopeAnswer = { ...verdict, paths };
    // The verdict takes effect once `wf-scope` has printed it and exited (its socket closes), so a
    // refusal that stops the run never cuts the command off mid-answer; 5 s at most.
    const { socket } = request;
    send(response, 200, answer, () => {
      let fired = false;
      const fire = (): void => {
        if (fired) return;
        fired = true;
        clearTimeout(timer);
        options.answered(verdict, paths);
      };
      const timer = setTimeout(fire, 5000);
      if (socket.destroyed) fire();
      else socket.once("close", fire);
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error("scope_server_error", { message: error instanceof Error ? error.message : String(error) });
      if (!response.headersSent) send(response, 500, { error: "the daemon failed to handle the request" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const binDir = path.join(options.runDir, "bin");
  mkdirSync(binDir, { recursive: true });
  const command = path.join(binDir, "wf-scope");
  const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;
  // The secret is in this file (0700) and the command's env, never on a command line.
  writeFileSync(
    command,
    [
      "#!/bin/sh",
      "# wf-scope: ask Worker Factory to widen this run's lock scope. Run `wf-scope --help`.",
      `WF_SCOPE_URL=${quote(`http://127.0.0.1:${port}`)} WF_SCOPE_SECRET=${quote(secret)} \\`,
      `WF_SCOPE_WAIT_SECONDS=${options.waitSeconds} exec ${quote(process.execPath)} ${quote(WF_SCOPE_SCRIPT)} "$@"`,
      "",
    ].join("\n"),
    { mode: 0o700 },
  );
  chmodSync(command, 0o700);

  return {
    binDir,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
