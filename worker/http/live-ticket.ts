/**
 * Short-lived tickets for the dashboard's live socket. A browser cannot put the admin token
 * in a WebSocket's headers, so `POST /api/live` (behind the token) hands out a ticket, and
 * `GET /live?ticket=...` checks it before the upgrade: `exp.nonce.hmac`, an HMAC-SHA256 of
 * `live:exp.nonce` keyed with the admin token, so rotating the token voids every ticket.
 */
import { constantTimeEqual } from "./constant-time.ts";

/** How long a ticket may wait before it is used: long enough for a slow reconnect, no more. */
export const LIVE_TICKET_TTL_MS = 60_000;

const encoder = new TextEncoder();

async function mac(key: string, message: string): Promise<string> {
  const hmacKey = await crypto.subtle.importKey(
    "raw",
    encoder.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", hmacKey, encoder.encode(`live:${message}`));
  return [...new Uint8Array(signature)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function issueLiveTicket(
  adminToken: string,
  now: number,
): Promise<{ ticket: string; expiresAt: number }> {
  const expiresAt = now + LIVE_TICKET_TTL_MS;
  const nonce = crypto.randomUUID().replaceAll("-", "");
  const body = `${expiresAt}.${nonce}`;
  return { ticket: `${body}.${await mac(adminToken, body)}`, expiresAt };
}

export type TicketCheck = { ok: true } | { ok: false; reason: string };

export async function checkLiveTicket(
  adminToken: string,
  ticket: string | undefined,
  now: number,
): Promise<TicketCheck> {
  const match = /^(\d{1,15})\.([0-9a-f]{32})\.([0-9a-f]{64})$/.exec(ticket ?? "");
  if (!adminToken || match === null)
    return { ok: false, reason: "a live ticket from POST /api/live is required" };
  const [, expires = "", nonce = "", signature = ""] = match;
  if (!(await constantTimeEqual(signature, await mac(adminToken, `${expires}.${nonce}`)))) {
    return { ok: false, reason: "the live ticket is not valid" };
  }
  if (Number(expires) <= now)
    return { ok: false, reason: "the live ticket has expired; ask POST /api/live for another" };
  return { ok: true };
}
