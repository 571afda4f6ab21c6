/**
 * `GET /live?ticket=...`: the dashboard's live socket. The ticket (from `POST /api/live`,
 * behind the admin token) is checked before the upgrade — 401 when it is missing, forged or
 * expired, 426 without an upgrade, 503 with the message while the config is invalid — and
 * the socket then belongs to the WorkspaceSupervisor, which pushes `changed` nudges on it.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env.ts";
import { checkLiveTicket } from "../http/live-ticket.ts";
import { supervisorFor } from "./stubs.ts";

export const live = new Hono<{ Bindings: AppEnv }>();

live.get("/", async (c) => {
  const check = await checkLiveTicket(c.env.ADMIN_TOKEN, c.req.query("ticket"), Date.now());
  if (!check.ok) throw new HTTPException(401, { message: check.reason });
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new HTTPException(426, { message: "expected a WebSocket upgrade" });
  }
  return supervisorFor(c.env).fetch(new Request(c.req.raw.url, { headers: c.req.raw.headers }));
});

live.all("/", (c) => {
  c.header("allow", "GET");
  throw new HTTPException(405, { message: `${c.req.method} is not allowed here; use GET` });
});
