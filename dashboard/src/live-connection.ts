/**
 * The page's live channel to the WorkspaceSupervisor, reconnecting as partysocket does: a
 * ticket from `POST /api/live` (the admin token cannot ride on a WebSocket), then
 * `GET /live?ticket=...`; a ping every 15 s, and a socket that misses its pong is dropped;
 * after a close, capped exponential backoff with jitter. It says at each step where it stands.
 */
import { LIVE, LiveMessage } from "../../worker/protocol/live-messages.ts";
import { ApiError, type ApiClient } from "./api-client.ts";
import { LiveTicket } from "./api-schema.ts";

export type LiveStatus =
  | { kind: "connecting" }
  | { kind: "live"; since: number }
  | { kind: "reconnecting"; attempt: number; retryAt: number; reason: string }
  | { kind: "unreachable"; attempt: number; retryAt: number; reason: string }
  | { kind: "refused"; attempt: number; retryAt: number; reason: string };

export interface LiveDeps {
  api: ApiClient;
  onStatus: (status: LiveStatus) => void;
  /** The socket is open: read the state (it may have changed while we were away). */
  onOpen: () => void;
  onMessage: (message: LiveMessage) => void;
  /** The admin token was refused: stop, and ask for it again. */
  onUnauthorized: () => void;
}

const PING_MS = 15_000;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;

export class LiveConnection {
  readonly #d: LiveDeps;
  #socket: WebSocket | null = null;
  #attempt = 0;
  #stopped = false;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #ping: ReturnType<typeof setInterval> | null = null;
  #awaitingPong = false;

  constructor(deps: LiveDeps) {
    this.#d = deps;
  }

  start(): void {
    this.#d.onStatus({ kind: "connecting" });
    void this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#stopPing();
    this.#socket?.close(1000, "page closed");
    this.#socket = null;
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    let url: string;
    try {
      url = (await this.#d.api.post("/api/live", {}, LiveTicket)).url;
    } catch (error) {
      if (this.#stopped) return;
      if (error instanceof ApiError && error.failure.kind === "unauthorized") {
        this.#d.onUnauthorized();
        return;
      }
      const unreachable = !(error instanceof ApiError) || error.failure.kind === "unreachable";
      this.#scheduleRetry(
        unreachable ? "unreachable" : "refused",
        error instanceof Error ? error.message : String(error),
      );
      return;
    }
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}${url}`);
    this.#socket = socket;
    socket.addEventListener("open", () => {
      if (socket !== this.#socket) return;
      this.#attempt = 0;
      this.#d.onStatus({ kind: "live", since: Date.now() });
      this.#startPing(socket);
      this.#d.onOpen();
    });
    socket.addEventListener("message", (event) => {
      if (socket !== this.#socket) return;
      if (event.data === LIVE.pong) {
        this.#awaitingPong = false;
        return;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(String(event.data));
      } catch {
        return;
      }
      const parsed = LiveMessage.safeParse(raw);
      if (parsed.success) this.#d.onMessage(parsed.data);
    });
    socket.addEventListener("close", (event) => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      this.#stopPing();
      const reason =
        event.reason || (event.code === 1006 ? "the connection dropped" : `closed (${event.code})`);
      this.#scheduleRetry("reconnecting", reason);
    });
  }

  #scheduleRetry(kind: "reconnecting" | "unreachable" | "refused", reason: string): void {
    if (this.#stopped) return;
    this.#attempt += 1;
    const delay =
      Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (this.#attempt - 1)) * (0.7 + Math.random() * 0.6);
    this.#d.onStatus({ kind, attempt: this.#attempt, retryAt: Date.now() + delay, reason });
    this.#retry = setTimeout(() => {
      this.#retry = null;
      void this.#connect();
    }, delay);
  }

  #startPing(socket: WebSocket): void {
    this.#stopPing();
    this.#awaitingPong = false;
    this.#ping = setInterval(() => {
      if (this.#awaitingPong) {
        // No pong since the last ping: the socket is dead even if no close came.
        socket.close(4000, "no answer to ping");
        return;
      }
      this.#awaitingPong = true;
      socket.send(LIVE.ping);
    }, PING_MS);
  }

  #stopPing(): void {
    if (this.#ping !== null) clearInterval(this.#ping);
    this.#ping = null;
  }
}
