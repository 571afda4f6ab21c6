/**
 * Live updates for the dashboard: pages hold a hibernatable WebSocket to the
 * WorkspaceSupervisor (tag `page`, per-connection state in the attachment), and whenever what
 * they show changed — a RepoQueue's pass or run frame, routed deliveries, an operator action —
 * the supervisor broadcasts a `changed` nudge, as partyserver's rooms broadcast to their
 * connections; each page then re-reads /api/state. Used by the supervisor's live block.
 */
import { z } from "zod";
import { LIVE, type LiveMessage } from "../protocol/live-messages.ts";

export const PAGE_TAG = "page";
/** Dashboards connected at once; one more is refused after the upgrade with `tooMany`. */
export const MAX_PAGES = 64;

const PageAttachment = z.object({ kind: z.literal("page"), connectedAt: z.number() });

/** Accepts a page's socket (the Worker checked its ticket) and greets it. */
export function acceptPage(ctx: DurableObjectState, now: number): Response {
  const { 0: client, 1: server } = new WebSocketPair();
  const full = ctx.getWebSockets(PAGE_TAG).length >= MAX_PAGES;
  ctx.acceptWebSocket(server, [PAGE_TAG]);
  ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(LIVE.ping, LIVE.pong));
  server.serializeAttachment(PageAttachment.parse({ kind: "page", connectedAt: now }));
  if (full) {
    server.close(LIVE.close.tooMany, `more than ${MAX_PAGES} dashboards are connected`);
  } else {
    server.send(JSON.stringify({ type: "hello", at: now } satisfies LiveMessage));
  }
  return new Response(null, { status: 101, webSocket: client });
}

/** Whether a socket of the supervisor is a dashboard's (agents never connect here). */
export function isPage(ws: WebSocket): boolean {
  return PageAttachment.safeParse(ws.deserializeAttachment()).success;
}

/** Tells every connected page that `scopes` changed; a socket that cannot take it is closed. */
export function broadcastChanged(ctx: DurableObjectState, scopes: readonly string[], now: number): number {
  const message = JSON.stringify({ type: "changed", at: now, scopes: [...scopes] } satisfies LiveMessage);
  let sent = 0;
  for (const socket of ctx.getWebSockets(PAGE_TAG)) {
    try {
      socket.send(message);
      sent += 1;
    } catch {
      socket.close(LIVE.close.goingAway, "send failed");
    }
  }
  return sent;
}
