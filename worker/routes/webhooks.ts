/**
 * `POST /webhooks/github`: verify, normalize, bound, hand to the WorkspaceSupervisor. Answers
 * 202 only once the supervisor has recorded the delivery; every refusal stores nothing.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env.ts";
import { ingestInput } from "../webhooks/ingest-input.ts";
import { verifyDelivery } from "../webhooks/verify-delivery.ts";
import { supervisorFor } from "./stubs.ts";

export const webhooks = new Hono<{ Bindings: AppEnv }>();

webhooks.post("/github", async (c) => {
  const secrets = [c.env.GITHUB_WEBHOOK_SECRET, c.env.GITHUB_WEBHOOK_SECRET_PREVIOUS ?? ""];
  const checked = await verifyDelivery(c.req.raw, secrets);
  if (!checked.ok) throw new HTTPException(checked.status, { message: checked.error });
  if (checked.delivery.event === "ping") return c.json({ status: "pong" }, 200);

  const input = ingestInput(checked.delivery);
  if (!input.ok) throw new HTTPException(input.status, { message: input.error });
  const result = await supervisorFor(c.env).ingest(input.delivery);
  return c.json({ status: result.status }, result.status === "duplicate" ? 200 : 202);
});
