/**
 * Sends org webhook deliveries like GitHub: one at a time in order, signed with
 * `X-Hub-Signature-256`, with GitHub's headers, a 10 s timeout and no automatic retry.
 * Every attempt is logged in the shape of GitHub's hook deliveries API; a redelivery
 * reuses the guid. Without a target URL, enqueueing is a no-op.
 */
import { sign } from "@octokit/webhooks-methods";
import type { Logger } from "../logger.ts";
import type { WebhookMessage } from "./webhook-payloads.ts";

export interface WebhookTarget {
  url: string;
  secret: string;
  hookId: number;
}

export interface DeliveryRecord {
  id: number;
  guid: string;
  deliveredAt: string;
  redelivery: boolean;
  /** Seconds, as GitHub reports it. */
  duration: number;
  status: string;
  statusCode: number;
  event: string;
  action: string;
  repositoryId: number | null;
  url: string;
  request: { headers: Record<string, string>; payload: string };
  response: { headers: Record<string, string>; payload: string | null };
}

interface Pending {
  guid: string;
  event: string;
  action: string;
  body: string;
  repositoryId: number | null;
  installationTargetId: number;
  redelivery: boolean;
}

export class WebhookDispatcher {
  #target: WebhookTarget | null;
  #deliveries: DeliveryRecord[] = [];
  #chain: Promise<void> = Promise.resolve();
  #nextId = 1;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(options: {
    target: WebhookTarget | null;
    logger: Logger;
    timeoutMs?: number;
    /** The emulator's clock, for `deliveredAt`. Default `Date.now`. */
    now?: () => number;
  }) {
    this.#target = options.target;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  get target(): WebhookTarget | null {
    return this.#target;
  }

  configure(target: WebhookTarget | null): void {
    this.#target = target;
  }

  /** Newest first, like GitHub's list. */
  deliveries(): DeliveryRecord[] {
    return [...this.#deliveries].reverse();
  }

  delivery(id: number): DeliveryRecord | undefined {
    return this.#deliveries.find((d) => d.id === id);
  }

  enqueue(message: WebhookMessage): void {
    if (this.#target === null) return;
    const repository: unknown = Reflect.get(message.payload, "repository");
    const repositoryId =
      typeof repository === "object" &&
      repository !== null &&
      "id" in repository &&
      typeof repository.id === "number"
        ? repository.id
        : null;
    this.#schedule({
      guid: crypto.randomUUID(),
      event: message.event,
      action: message.action,
      body: JSON.stringify(message.payload),
      repositoryId,
      installationTargetId: message.payload.organization.id,
      redelivery: false,
    });
  }

  /** Sends a past delivery again with the same guid and body; undefined when unknown. */
  redeliver(id: number): DeliveryRecord | undefined {
    const original = this.delivery(id);
    if (original === undefined) return undefined;
    const installationTargetId = Number(
      original.request.headers["X-GitHub-Hook-Installation-Target-ID"] ?? 0,
    );
    this.#schedule({ ...original, body: original.request.payload, installationTargetId, redelivery: true });
    return original;
  }

  /** Resolves once every delivery enqueued so far has been attempted. */
  idle(): Promise<void> {
    return this.#chain;
  }

  clearLog(): void {
    this.#deliveries = [];
  }

  #schedule(pending: Pending): void {
    this.#chain = this.#chain.then(() => this.#send(pending));
  }

  async #send(pending: Pending): Promise<void> {
    const target = this.#target;
    if (target === null) return;
    const headers: Record<string, string> = {
      Accept: "*/*",
      "Content-Type": "application/json",
      "User-Agent": "GitHub-Hookshot/emulator",
      "X-GitHub-Delivery": pending.guid,
      "X-GitHub-Event": pending.event,
      "X-GitHub-Hook-ID": String(target.hookId),
      "X-GitHub-Hook-Installation-Target-ID": String(pending.installationTargetId),
      "X-GitHub-Hook-Installation-Target-Type": "organization",
    };
    if (target.secret !== "") headers["X-Hub-Signature-256"] = await sign(target.secret, pending.body);
    const started = performance.now();
    const record: DeliveryRecord = {
      id: this.#nextId++,
      guid: pending.guid,
      deliveredAt: new Date(this.#now()).toISOString(),
      redelivery: pending.redelivery,
      duration: 0,
      status: "",
      statusCode: 0,
      event: pending.event,
      action: pending.action,
      repositoryId: pending.repositoryId,
      url: target.url,
      request: { headers, payload: pending.body },
      response: { headers: {}, payload: null },
    };
    try {
      const response = await fetch(target.url, {
        method: "POST",
        headers,
        body: pending.body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      record.statusCode = response.status;
      record.status =
        response.ok || response.status < 400 ? "OK" : `Invalid HTTP Response: ${response.status}`;
      record.response = { headers: Object.fromEntries(response.headers), payload: await response.text() };
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      record.status = timedOut ? "timed out" : "failed to connect to host";
    }
    record.duration = Math.round(performance.now() - started) / 1000;
    this.#deliveries.push(record);
    this.#logger("webhook.delivery", {
      id: record.id,
      guid: record.guid,
      event: `${record.event}.${record.action}`,
      statusCode: record.statusCode,
      status: record.status,
      durationMs: Math.round(record.duration * 1000),
      redelivery: record.redelivery,
    });
  }
}
