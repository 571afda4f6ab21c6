/**
 * Between GitHub and the Worker: a loopback receiver the simulation owns takes the emulator's
 * org webhooks, and the network decides each one's fate with the seeded stream: lost (the
 * receiver answers 502, so GitHub records a failed delivery it can redeliver), delivered after
 * a delay (so later events may overtake it), or delivered twice. A delivery reaches the
 * supervisor as the Worker's route hands it over (worker/webhooks/ingest-input.ts), with the
 * signature left unchecked: the route is tested elsewhere.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ingestInput } from "../../worker/webhooks/ingest-input.ts";
import type { IngestDelivery } from "../../worker/supervisor/supervisor-host.ts";
import type { SimContext } from "./sim-context.ts";

export interface HookFaults {
  drop: number;
  duplicate: number;
  /** Largest extra delay of a delivery, in ms (reordering). */
  maxDelayMs: number;
}

export class WebhookNet {
  readonly #ctx: SimContext;
  readonly #deliver: (delivery: IngestDelivery) => void;
  #server: Server | null = null;
  faults: HookFaults = { drop: 0, duplicate: 0, maxDelayMs: 0 };
  received = 0;
  dropped = 0;
  duplicated = 0;

  constructor(ctx: SimContext, deliver: (delivery: IngestDelivery) => void) {
    this.#ctx = ctx;
    this.#deliver = deliver;
  }

  async listen(): Promise<string> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const status = this.#receive(
          {
            deliveryId: String(request.headers["x-github-delivery"] ?? ""),
            event: String(request.headers["x-github-event"] ?? ""),
            hookId:
              request.headers["x-github-hook-id"] === undefined
                ? null
                : String(request.headers["x-github-hook-id"]),
          },
          Buffer.concat(chunks).toString("utf8"),
        );
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify({ status }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.#server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #receive(ids: { deliveryId: string; event: string; hookId: string | null }, body: string): number {
    const { ctx } = this;
    this.received += 1;
    const payload: unknown = JSON.parse(body);
    if (typeof payload !== "object" || payload === null) return 400;
    const input = ingestInput({ ...ids, payload: payload as Record<string, unknown> });
    const action = (payload as { action?: unknown }).action;
    const what = {
      delivery: ids.deliveryId,
      event: ids.event,
      action: typeof action === "string" ? action : null,
    };
    if (!input.ok) {
      ctx.log.add("hook_refused", { ...what, status: input.status });
      return input.status;
    }
    const hooks = ctx.rng.hooks;
    if (!ctx.calm() && hooks.chance(this.faults.drop)) {
      this.dropped += 1;
      ctx.log.add("hook_dropped", what);
      return 502;
    }
    const copies = !ctx.calm() && hooks.chance(this.faults.duplicate) ? 2 : 1;
    if (copies === 2) this.duplicated += 1;
    for (let copy = 0; copy < copies; copy += 1) {
      const delay = ctx.calm() ? hooks.int(5, 200) : hooks.int(5, 200 + this.faults.maxDelayMs);
      ctx.scheduler.after(delay, `deliver ${ids.deliveryId}`, () => {
        ctx.log.add("hook_delivered", { ...what, copy });
        this.#deliver(input.delivery);
      });
    }
    return 202;
  }

  get ctx(): SimContext {
    return this.#ctx;
  }
}
