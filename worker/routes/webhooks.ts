/**
 * `POST /webhooks/github`: verify, normalize, bound, hand to the WorkspaceSupervisor. Answers
 * 202 only once the supervisor has recorded the delivery; every refusal stores nothing.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env.ts";
import { isUsedEvent, normalizeEvent, type WorkspaceEvent } from "../events/normalize-event.ts";
import { boundEvent, checkIdentifier } from "../webhooks/bound-event.ts";
import { verifyDelivery } from "../webhooks/verify-delivery.ts";
import { supervisorFor } from "./stubs.ts";

export const webhooks = new Hono<{ Bindings: AppEnv }>();

webhooks.post("/github", async (c) => {
  const secrets = [c.env.GITHUB_WEBHOOK_SECRET, c.env.GITHUB_WEBHOOK_SECRET_PREVIOUS ?? ""];
  const checked = await verifyDelivery(c.req.raw, secrets);
  if (!checked.ok) throw new HTTPException(checked.status, { message: checked.error });
  const { deliveryId, event, hookId, payload } = checked.delivery;

  if (event === "ping") return c.json({ status: "pong" }, 200);

  const action = typeof payload.action === "string" ? payload.action : null;
  // Stored with every delivery, used or not.
  const tooLong = checkIdentifier("action", action);
  if (tooLong !== null) throw new HTTPException(413, { message: tooLong });
  let workspaceEvent: WorkspaceEvent | null = null;
  if (isUsedEvent(event)) {
    const normalized = normalizeEvent(event, payload);
    if (!normalized.ok) throw new HTTPException(400, { message: normalized.reason });
    const bounded = boundEvent(normalized.event);
    if (!bounded.ok) throw new HTTPException(413, { message: bounded.error });
    workspaceEvent = bounded.value;
  }

  const result = await supervisorFor(c.env).ingest({ deliveryId, event, action, hookId, workspaceEvent });
  return c.json({ status: result.status }, result.status === "duplicate" ? 200 : 202);
});
