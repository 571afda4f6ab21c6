/**
 * A real `ws` server on a free port playing the RepoQueue's side of the agent protocol, for
 * daemon tests: checks the path and bearer token, parses every frame with the protocol schemas,
 * welcomes on hello, answers state frames with `reply` (switchable), refuses run frames that do
 * not prove their dispatch's secret (as the RepoQueue does), gives scope verdicts as a
 * RepoQueue's gate would (`scopeVerdict`), and lets a test wait on frames.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import type { z } from "zod";
import {
  AgentMessage,
  parseFrame,
  PROTOCOL,
  type Dispatch,
  type ServerMessage,
  type Steer,
} from "../../../worker/protocol/messages.ts";

export type Frame = AgentMessage;
export type ScopeRequestFrame = Extract<Frame, { type: "scope_request" }>;
export interface ScopeVerdict {
  granted: boolean;
  reason: string;
  lockKeys: string[];
}
type Waiter = { match: (frame: Frame) => boolean; resolve: (frame: Frame) => void };

export interface FakeRepoQueueOptions {
  repo?: string;
  token?: string;
  heartbeatSeconds?: number;
}

export class FakeRepoQueue {
  readonly frames: Frame[] = [];
  readonly invalid: string[] = [];
  autoReply = true;
  /** Runs listed in the next `welcome`'s stopRuns. */
  stopRuns: string[] = [];
  /** Override the answer to a frame (e.g. stale_fence); null stays silent, undefined falls back to autoReply. */
  replyWith: ((frame: Frame) => z.input<typeof ServerMessage> | null | undefined) | null = null;
  /** The gate's verdict on a scope request, sent as `scope_reply` after the frame's `reply`. */
  scopeVerdict: ((frame: ScopeRequestFrame) => ScopeVerdict) | null = null;
  private scopeReplies = 0;
  connections = 0;
  readonly closeCodes: number[] = [];
  /** Secrets of the runs dispatched through this fake, by run id. */
  readonly secrets = new Map<string, string>();
  /** Run frames refused because they did not prove their run's secret. */
  readonly unauthorized: Frame[] = [];
  private socket: WebSocket | null = null;
  private waiters: Waiter[] = [];
  private readonly server: WebSocketServer;
  private readonly http: Server;
  private readonly options: Required<FakeRepoQueueOptions>;

  private constructor(server: WebSocketServer, http: Server, options: FakeRepoQueueOptions) {
    this.server = server;
    this.http = http;
    this.options = { repo: "acme/widgets", token: "agent-token", heartbeatSeconds: 1, ...options };
    server.on("connection", (ws) => this.onConnection(ws));
  }

  static async start(options: FakeRepoQueueOptions = {}): Promise<FakeRepoQueue> {
    const repo = options.repo ?? "acme/widgets";
    const token = options.token ?? "agent-token";
    const allowed = (req: IncomingMessage): boolean => {
      const url = new URL(req.url ?? "/", "http://x");
      return (
        url.pathname === "/agents/connect" &&
        url.searchParams.get("repo") === repo &&
        req.headers.authorization === `Bearer ${token}`
      );
    };
    // As the Worker answers the daemon's start-up checks: /healthz, and 426 for a good token.
    const http = createServer((req, res) => {
      const { pathname } = new URL(req.url ?? "/", "http://x");
      if (pathname === "/healthz")
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
      else if (pathname === "/agents/connect") res.writeHead(allowed(req) ? 426 : 401).end();
      else res.writeHead(404).end();
    });
    const server = new WebSocketServer({
      server: http,
      verifyClient: ({ req }, done) => done(allowed(req), 401, "Unauthorized"),
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", () => resolve()));
    return new FakeRepoQueue(server, http, options);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  private onConnection(ws: WebSocket): void {
    this.connections++;
    this.socket = ws;
    ws.on("close", (code) => this.closeCodes.push(code));
    ws.on("message", (data) => {
      const parsed = parseFrame(AgentMessage, data.toString());
      if (!parsed.ok) {
        this.invalid.push(parsed.error);
        return;
      }
      const frame = parsed.value;
      this.frames.push(frame);
      if (frame.type === "hello") {
        this.send({
          type: "welcome",
          v: PROTOCOL.version,
          repo: this.options.repo,
          leaseSeconds: 900,
          heartbeatSeconds: this.options.heartbeatSeconds,
          stopRuns: this.stopRuns,
        });
      } else if (frame.type !== "ack" && this.refusesSecret(frame)) {
        this.unauthorized.push(frame);
        this.send({
          type: "reply",
          id: frame.id,
          ok: false,
          error: "unauthorized",
          message: "no run secret",
        });
      } else if (frame.type !== "ack") {
        const answer = this.replyWith?.(frame);
        if (answer !== undefined && answer !== null) this.send(answer);
        else if (answer === undefined && this.autoReply)
          this.send({ type: "reply", id: frame.id, ok: true, error: null });
        if (frame.type === "scope_request" && this.scopeVerdict !== null) {
          const verdict = this.scopeVerdict(frame);
          this.send({
            type: "scope_reply",
            id: `scope-reply-${++this.scopeReplies}`,
            requestId: frame.id,
            runId: frame.runId,
            ...verdict,
          });
        }
      }
      for (const waiter of [...this.waiters]) {
        if (waiter.match(frame)) {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          waiter.resolve(frame);
        }
      }
    });
  }

  private refusesSecret(frame: Frame): boolean {
    if (!("runId" in frame)) return false;
    const secret = this.secrets.get(frame.runId);
    return secret !== undefined && frame.runSecret !== secret;
  }

  send(frame: z.input<typeof ServerMessage>): void {
    if (frame.type === "dispatch" && frame.runSecret !== undefined)
      this.secrets.set(frame.runId, frame.runSecret);
    this.socket?.send(JSON.stringify(frame));
  }

  dispatch(frame: z.input<typeof Dispatch>): void {
    this.send(frame);
  }

  steer(frame: Omit<z.input<typeof Steer>, "type">): void {
    this.send({ type: "steer", ...frame });
  }

  /** Drops the current connection without a close handshake. */
  drop(): void {
    this.socket?.terminate();
  }

  /** The first frame (already received or still to come) that matches, or an error after `timeoutMs`. */
  waitFor<T extends Frame>(match: (frame: Frame) => frame is T, timeoutMs?: number): Promise<T>;
  waitFor(match: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  waitFor(match: (frame: Frame) => boolean, timeoutMs = 15_000): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return this.waitForNext(match, timeoutMs);
  }

  /** Like waitFor, but only frames that arrive from now on. */
  waitForNext<T extends Frame>(match: (frame: Frame) => frame is T, timeoutMs?: number): Promise<T>;
  waitForNext(match: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  waitForNext(match: (frame: Frame) => boolean, timeoutMs = 15_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `no matching frame within ${timeoutMs} ms; got: ${this.frames.map((f) => f.type).join(", ")}`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      this.waiters.push(waiter);
    });
  }

  of<K extends Frame["type"]>(type: K): Extract<Frame, { type: K }>[] {
    return this.frames.filter((f): f is Extract<Frame, { type: K }> => f.type === type);
  }

  async close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

export const isType =
  <K extends Frame["type"]>(type: K, extra: (frame: Extract<Frame, { type: K }>) => boolean = () => true) =>
  (frame: Frame): frame is Extract<Frame, { type: K }> =>
    frame.type === type && extra(frame as Extract<Frame, { type: K }>);
