/**
 * The daemon's WebSocket to its repo's RepoQueue (`GET <worker>/agents/connect?repo=owner/name`):
 * connect timeout, capped exponential backoff with full jitter, `hello` on every (re)connect,
 * an outbox of state-changing frames resent until answered, acks for server frames, and
 * dropping of server frames already applied. Used by daemon.ts.
 */
import WebSocket from "ws";
import {
  PROTOCOL,
  parseFrame,
  ServerMessage,
  type Ack,
  type Dispatch,
  type Hello,
  type LiveRun,
  type ScopeReply,
  type Steer,
  type Welcome,
} from "../worker/protocol/messages.ts";
import type { z } from "zod";
import type { Logger } from "./logger.ts";
import type { OutboxFrame, StateStore } from "./state-store.ts";

type WelcomeFrame = z.infer<typeof Welcome>;
type DispatchFrame = z.infer<typeof Dispatch>;
type SteerFrame = z.infer<typeof Steer>;

export interface ConnectionHandlers {
  /** What to put in `hello`; called on every (re)connect. */
  hello(): { agentId: string; capacity: number; runs: LiveRun[] };
  onWelcome(frame: WelcomeFrame): void;
  onDispatch(frame: DispatchFrame): void;
  onSteer(frame: SteerFrame): void;
  /**
   * A frame of this run was refused with `stale_fence` (the lease passed to someone else) or
   * `unauthorized` (it did not prove the run's secret): no report of it will be taken again.
   */
  onStaleFence(runId: string, fence: number, error: "stale_fence" | "unauthorized"): void;
  /** The RepoQueue's verdict on a `scope_request` (applied once). */
  onScopeReply?(frame: z.infer<typeof ScopeReply>): void;
  /** One of our frames was refused for another reason than a stale fence or a secret. */
  onRefused?(frame: OutboxFrame, message: string): void;
}

export interface ConnectionOptions {
  workerUrl: string;
  repo: string;
  token: string;
  store: StateStore;
  logger: Logger;
  handlers: ConnectionHandlers;
  connectTimeoutMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Frames without an id (acks) queued while disconnected; the oldest go first. */
  sendQueueLimit?: number;
  /** Ping interval; a connection that misses a pong for one interval is dropped. */
  pingIntervalMs?: number;
  random?: () => number;
}

export function connectUrl(workerUrl: string, repo: string): string {
  const url = new URL(`${workerUrl.replace(/\/+$/, "")}/agents/connect`);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  url.searchParams.set("repo", repo);
  return url.toString();
}

/** Full jitter: uniform in [0, min(max, initial * 2^attempt)], floored so a loop cannot spin. */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number,
): number {
  const cap = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.max(50, Math.floor(random() * cap));
}

export class RepoQueueConnection {
  private readonly options: ConnectionOptions;
  private readonly logger: Logger;
  private ws: WebSocket | null = null;
  private welcomed = false;
  private closing = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private readonly queue: string[] = [];
  private readonly drainWaiters = new Set<() => void>();
  /** Times the socket was (re)opened; for tests and logs. */
  connections = 0;
  /**
   * Resolves with the reason when the Worker refuses the token (401/403 before the upgrade):
   * retrying cannot help, so the connection stops for good and the daemon exits.
   */
  readonly refused: Promise<string>;
  private refuse: (reason: string) => void = () => undefined;

  constructor(options: ConnectionOptions) {
    this.options = options;
    this.logger = options.logger.child({ component: "connect" });
    this.refused = new Promise((resolve) => {
      this.refuse = resolve;
    });
  }

  get isReady(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN && this.welcomed;
  }

  start(): void {
    this.closing = false;
    this.open();
  }

  /**
   * Queues a state-changing frame in the durable outbox and sends it when connected. Every run
   * frame leaving the daemon proves its run: the secret from its dispatch is added here.
   */
  send(frame: OutboxFrame): void {
    const runSecret = frame.runSecret ?? this.options.store.runSecret(frame.runId, frame.fence);
    if (runSecret !== undefined) frame = { ...frame, runSecret };
    this.options.store.addOutbox(frame);
    if (this.isReady) this.write(JSON.stringify(frame));
  }

  /** Resolves true once every outbox frame is answered, false after `timeoutMs`. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.options.store.outbox().length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.drainWaiters.delete(done);
        resolve(this.options.store.outbox().length === 0);
      };
      const timer = setTimeout(done, timeoutMs);
      this.drainWaiters.add(done);
    });
  }

  /** Closes for good (code 1000 by default); no reconnect afterwards. */
  async close(code = 1000, reason = "daemon stopping"): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    const ws = this.ws;
    if (ws === null || ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(code, reason);
    const timer = setTimeout(() => ws.terminate(), 3000);
    await closed;
    clearTimeout(timer);
  }

  private open(): void {
    const url = connectUrl(this.options.workerUrl, this.options.repo);
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${this.options.token}` },
      handshakeTimeout: this.options.connectTimeoutMs ?? 10_000,
    });
    this.ws = ws;
    this.welcomed = false;
    let alive = true;
    ws.on("open", () => {
      this.connections++;
      this.logger.info("connected", { url, attempt: this.attempt });
      const hello: z.infer<typeof Hello> = {
        type: "hello",
        v: PROTOCOL.version,
        ...this.options.handlers.hello(),
      };
      ws.send(JSON.stringify(hello));
      const interval = this.options.pingIntervalMs ?? 30_000;
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => {
        if (!alive) {
          this.logger.warn("ping_timeout");
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, interval);
    });
    ws.on("unexpected-response", (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      if (status === 401 || status === 403) {
        this.closing = true;
        const reason = `the Worker refused the agent token for ${this.options.repo} (${status}): the token is wrong, or the repo is not in the workspace`;
        this.logger.error("token_refused", {
          status,
          url,
          hint: `get the token with \`npx wf token ${this.options.repo}\``,
        });
        this.refuse(reason);
      } else {
        this.logger.warn("upgrade_refused", { status, url });
      }
      ws.terminate();
    });
    ws.on("pong", () => {
      alive = true;
    });
    ws.on("message", (data, isBinary) => {
      alive = true;
      this.onMessage(isBinary ? new ArrayBuffer(0) : data.toString());
    });
    ws.on("error", (error) => {
      this.logger.warn("socket_error", { message: error.message });
    });
    ws.on("close", (code, reason) => {
      if (this.ws === ws) this.ws = null;
      this.welcomed = false;
      clearInterval(this.pingTimer);
      this.logger.info("disconnected", { code, reason: reason.toString() });
      if (code === PROTOCOL.close.unauthorized || code === PROTOCOL.close.versionMismatch) {
        this.logger.error("connection_refused", {
          code,
          hint: "check the agent token, repo and daemon version",
        });
      }
      if (!this.closing) this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    const delay = backoffDelay(
      this.attempt,
      this.options.backoffInitialMs ?? 500,
      this.options.backoffMaxMs ?? 30_000,
      this.options.random ?? Math.random,
    );
    this.attempt++;
    this.logger.info("reconnect_scheduled", { attempt: this.attempt, delayMs: delay });
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (!this.closing) this.open();
    }, delay);
  }

  private onMessage(data: string | ArrayBuffer): void {
    const parsed = parseFrame(ServerMessage, data);
    if (!parsed.ok) {
      this.logger.warn("invalid_frame", { error: parsed.error });
      return;
    }
    const frame = parsed.value;
    switch (frame.type) {
      case "welcome":
        this.welcomed = true;
        this.attempt = 0;
        this.logger.info("welcomed", { heartbeatSeconds: frame.heartbeatSeconds, stopRuns: frame.stopRuns });
        this.options.handlers.onWelcome(frame);
        for (const pending of this.options.store.outbox()) this.write(JSON.stringify(pending));
        while (this.queue.length > 0 && this.isReady) this.write(this.queue.shift() ?? "");
        return;
      case "dispatch":
      case "steer":
      case "scope_reply": {
        const ack: z.infer<typeof Ack> = { type: "ack", id: frame.id };
        const duplicate = this.options.store.isApplied(frame.id);
        if (!duplicate) this.options.store.markApplied(frame.id);
        this.sendTransient(JSON.stringify(ack));
        if (duplicate) {
          this.logger.info("duplicate_dropped", { type: frame.type, id: frame.id, runId: frame.runId });
          return;
        }
        if (frame.type === "dispatch") this.options.handlers.onDispatch(frame);
        else if (frame.type === "steer") this.options.handlers.onSteer(frame);
        else {
          // The verdict answers the request: stop resending it.
          this.options.store.removeOutbox(frame.requestId);
          this.options.handlers.onScopeReply?.(frame);
        }
        return;
      }
      case "reply":
      case "ack": {
        const answered = this.options.store.removeOutbox(frame.id);
        if (frame.type === "reply" && !frame.ok) {
          this.logger.warn("frame_refused", {
            id: frame.id,
            error: frame.error,
            message: frame.message,
            frame: answered?.type,
          });
          // Either way the RepoQueue will never take this run's reports again: end it quietly.
          if ((frame.error === "stale_fence" || frame.error === "unauthorized") && answered !== undefined) {
            this.options.store.dropRunFrames(answered.runId);
            this.options.handlers.onStaleFence(answered.runId, answered.fence, frame.error);
          } else if (answered !== undefined) {
            this.options.handlers.onRefused?.(answered, frame.message);
          }
        }
        if (this.options.store.outbox().length === 0) for (const waiter of [...this.drainWaiters]) waiter();
        return;
      }
      case "error":
        this.logger.error("server_error", { code: frame.code, message: frame.message });
        return;
    }
  }

  private sendTransient(text: string): void {
    if (this.ws !== null && this.ws.readyState === WebSocket.OPEN) {
      this.write(text);
      return;
    }
    this.queue.push(text);
    const limit = this.options.sendQueueLimit ?? 256;
    while (this.queue.length > limit) {
      this.queue.shift();
      this.logger.warn("send_queue_full_dropped");
    }
  }

  private write(text: string): void {
    this.ws?.send(text, (error) => {
      if (error !== undefined && error !== null) this.logger.warn("send_failed", { message: error.message });
    });
  }
}
