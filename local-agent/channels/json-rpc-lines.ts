/**
 * A JSON-RPC 2.0 client over newline-delimited JSON, as `codex app-server` speaks it on stdio
 * (objects without the "jsonrpc" member): numbered requests answered by id, notifications, and
 * requests from the server that must be answered. Every line is validated with zod. Used by
 * codex-app-server.ts.
 */
import { z } from "zod";

const RpcId = z.union([z.number(), z.string()]);
const RpcError = z.looseObject({ code: z.number(), message: z.string() });
const Incoming = z.looseObject({
  id: RpcId.optional(),
  method: z.string().optional(),
  params: z.unknown().optional(),
  result: z.unknown().optional(),
  error: RpcError.optional(),
});

export type RpcOutcome = { ok: true; result: unknown } | { ok: false; code: number; message: string };
export type ServerRequestAnswer = { result: unknown } | { error: { code: number; message: string } };

export interface JsonRpcHandlers {
  onNotification(method: string, params: unknown): void;
  /** A request from the server (an approval, a question); its answer goes back at once. */
  onServerRequest(method: string, params: unknown): ServerRequestAnswer;
  /** A line that is not a JSON-RPC object (logged, never fatal). */
  onInvalidLine(line: string): void;
}

export class JsonRpcLines {
  private nextId = 1;
  private readonly pending = new Map<number, (outcome: RpcOutcome) => void>();
  private closedWith: string | null = null;
  private readonly write: (line: string) => boolean;
  private readonly handlers: JsonRpcHandlers;

  constructor(write: (line: string) => boolean, handlers: JsonRpcHandlers) {
    this.write = write;
    this.handlers = handlers;
  }

  /** Resolves with the result or the error; never rejects. */
  request(method: string, params: unknown): Promise<RpcOutcome> {
    if (this.closedWith !== null)
      return Promise.resolve({ ok: false, code: -32000, message: this.closedWith });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      if (!this.write(JSON.stringify({ id, method, params }))) {
        this.pending.delete(id);
        resolve({ ok: false, code: -32000, message: "the app-server's input is closed" });
      }
    });
  }

  notify(method: string, params?: unknown): void {
    this.write(JSON.stringify(params === undefined ? { method } : { method, params }));
  }

  handleLine(line: string): void {
    if (line.trim() === "") return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      this.handlers.onInvalidLine(line);
      return;
    }
    const parsed = Incoming.safeParse(raw);
    if (!parsed.success) {
      this.handlers.onInvalidLine(line);
      return;
    }
    const message = parsed.data;
    if (message.method !== undefined && message.id !== undefined) {
      const answer = this.handlers.onServerRequest(message.method, message.params);
      this.write(JSON.stringify({ id: message.id, ...answer }));
    } else if (message.method !== undefined) {
      this.handlers.onNotification(message.method, message.params);
    } else if (typeof message.id === "number") {
      const resolve = this.pending.get(message.id);
      if (resolve === undefined) return;
      this.pending.delete(message.id);
      resolve(
        message.error !== undefined
          ? { ok: false, code: message.error.code, message: message.error.message }
          : { ok: true, result: message.result },
      );
    } else {
      this.handlers.onInvalidLine(line);
    }
  }

  /** The process is gone: every open request fails with `reason`, and so does any later one. */
  close(reason: string): void {
    this.closedWith = reason;
    for (const resolve of this.pending.values()) resolve({ ok: false, code: -32000, message: reason });
    this.pending.clear();
  }
}
