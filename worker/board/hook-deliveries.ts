/**
 * The org webhook's deliveries as GitHub lists them (REST), and which ones to ask GitHub to
 * send again: GitHub never retries a failed delivery itself. A guid counts as delivered once
 * any attempt of it succeeded (status code 200-399). Pure; the board client pages the list,
 * the supervisor's reconciliation redelivers.
 */
import { z } from "zod";
import type { GraphqlTransport } from "./graphql-transport.ts";

export const HookDelivery = z.object({
  id: z.number(),
  guid: z.string(),
  delivered_at: z.string(),
  redelivery: z.boolean(),
  status: z.string(),
  status_code: z.number(),
  event: z.string(),
  action: z.string().nullable(),
});
export type HookDelivery = z.infer<typeof HookDelivery>;

export const HookDeliveryPage = z.array(HookDelivery);

/** GitHub keeps deliveries for redelivery for 3 days. */
export const REDELIVERY_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;

const succeeded = (delivery: HookDelivery): boolean =>
  delivery.status_code >= 200 && delivery.status_code < 400;

/** The newest attempt of every guid that no attempt delivered, oldest guid first. */
export function undelivered(deliveries: readonly HookDelivery[]): HookDelivery[] {
  const byGuid = new Map<string, HookDelivery[]>();
  for (const delivery of deliveries)
    byGuid.set(delivery.guid, [...(byGuid.get(delivery.guid) ?? []), delivery]);
  const failed: HookDelivery[] = [];
  for (const attempts of byGuid.values()) {
    if (attempts.some(succeeded)) continue;
    const newest = attempts.reduce((a, b) => (b.id > a.id ? b : a));
    failed.push(newest);
  }
  return failed.sort((a, b) => Date.parse(a.delivered_at) - Date.parse(b.delivered_at));
}

/** The `cursor` of the `rel="next"` link, or null on the last page. */
export function nextCursor(link: string | null): string | null {
  const next = link?.split(",").find((part) => /rel="next"/.test(part));
  const url = next ? /<([^>]+)>/.exec(next)?.[1] : undefined;
  return url ? new URL(url).searchParams.get("cursor") : null;
}

/** Lists and redelivers the org hook's deliveries through the board client's transport. */
export class WebhookDeliveries {
  readonly #transport: Pick<GraphqlTransport, "rest">;
  readonly #org: string;

  constructor(transport: Pick<GraphqlTransport, "rest">, org: string) {
    this.#transport = transport;
    this.#org = encodeURIComponent(org);
  }

  /** Deliveries since `since` that no attempt delivered, paging newest first, `maxPages` at most. */
  async undelivered(hookId: number, since: number, maxPages = 10): Promise<HookDelivery[]> {
    const base = `/orgs/${this.#org}/hooks/${hookId}/deliveries?per_page=100`;
    const seen: HookDelivery[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < maxPages; page += 1) {
      const path: string = cursor === null ? base : `${base}&cursor=${encodeURIComponent(cursor)}`;
      const { data, link } = await this.#transport.rest(
        "list hook deliveries",
        "GET",
        path,
        HookDeliveryPage,
      );
      const recent = data.filter((delivery) => Date.parse(delivery.delivered_at) >= since);
      seen.push(...recent);
      cursor = nextCursor(link);
      if (cursor === null || recent.length < data.length) break;
    }
    return undelivered(seen);
  }

  /** Asks GitHub to send a delivery again; it keeps its `X-GitHub-Delivery` guid. */
  async redeliver(hookId: number, deliveryId: number): Promise<void> {
    await this.#transport.rest(
      "redeliver hook delivery",
      "POST",
      `/orgs/${this.#org}/hooks/${hookId}/deliveries/${deliveryId}/attempts`,
      z.unknown(),
    );
  }
}
