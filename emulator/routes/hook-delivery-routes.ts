/**
 * GitHub's org hook deliveries REST API over the dispatcher's log: list (newest first,
 * `per_page`, `cursor`, `status=success|failure`, Link header), get one with request and
 * response, and redeliver (`POST …/attempts`, 202, same guid). Token and REST budget
 * checked as GitHub checks them (rest-guard.ts).
 */
import { Hono, type Context } from "hono";
import type { EmulatorRuntime } from "../runtime.ts";
import type { DeliveryRecord } from "../webhooks/webhook-dispatcher.ts";
import { restGuard } from "./rest-guard.ts";

const docs = "https://docs.github.com/rest/orgs/webhooks";

function summary(d: DeliveryRecord) {
  return {
    id: d.id,
    guid: d.guid,
    delivered_at: d.deliveredAt,
    redelivery: d.redelivery,
    duration: d.duration,
    status: d.status,
    status_code: d.statusCode,
    event: d.event,
    action: d.action,
    installation_id: null,
    repository_id: d.repositoryId,
    throttled_at: null,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function hookDeliveryRoutes(runtime: EmulatorRuntime): Hono {
  const app = new Hono();
  const notFound = (c: Context) =>
    c.json({ message: "Not Found", documentation_url: docs, status: "404" }, 404);
  const hookExists = (c: Context): boolean => {
    const target = runtime.webhooks.target;
    return (
      target !== null &&
      String(target.hookId) === c.req.param("hook_id") &&
      runtime.store.org(c.req.param("org") ?? "") !== undefined
    );
  };
  app.use("*", restGuard(runtime, docs));

  app.get("/:org/hooks/:hook_id/deliveries", (c) => {
    if (!hookExists(c)) return notFound(c);
    const perPage = Math.min(100, Math.max(1, Number(c.req.query("per_page") ?? 30) || 30));
    const cursor = Number(c.req.query("cursor") ?? 0);
    const status = c.req.query("status");
    const all = runtime.webhooks
      .deliveries()
      .filter((d) => cursor === 0 || d.id < cursor)
      .filter(
        (d) => status === undefined || (status === "success") === (d.statusCode >= 200 && d.statusCode < 400),
      );
    const page = all.slice(0, perPage);
    const last = page.at(-1);
    if (all.length > perPage && last !== undefined) {
      const next = new URL(c.req.url);
      next.searchParams.set("per_page", String(perPage));
      next.searchParams.set("cursor", String(last.id));
      c.header("link", `<${next.toString()}>; rel="next"`);
    }
    return c.json(page.map(summary));
  });

  app.get("/:org/hooks/:hook_id/deliveries/:delivery_id", (c) => {
    const delivery = runtime.webhooks.delivery(Number(c.req.param("delivery_id")));
    if (!hookExists(c) || delivery === undefined) return notFound(c);
    return c.json({
      ...summary(delivery),
      url: delivery.url,
      request: { headers: delivery.request.headers, payload: parseJson(delivery.request.payload) },
      response: { headers: delivery.response.headers, payload: delivery.response.payload },
    });
  });

  app.post("/:org/hooks/:hook_id/deliveries/:delivery_id/attempts", (c) => {
    if (!hookExists(c)) return notFound(c);
    const original = runtime.webhooks.redeliver(Number(c.req.param("delivery_id")));
    if (original === undefined) return notFound(c);
    runtime.logger("webhook.redelivery_requested", { id: original.id, guid: original.guid });
    return c.json({}, 202);
  });
  return app;
}
