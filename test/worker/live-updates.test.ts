/**
 * The dashboard's live channel in workerd: a ticket from `POST /api/live`, checked before the
 * upgrade of `GET /live`, and the `changed` nudges the supervisor pushes to connected pages
 * when a RepoQueue's state changes or an operator action goes through.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issueLiveTicket } from "../../worker/http/live-ticket.ts";
import { LiveMessage } from "../../worker/protocol/live-messages.ts";
import { ADMIN_TOKEN, BACKEND, issuePayload, postDelivery } from "./support/deliveries.ts";

async function ticket(): Promise<string> {
  const response = await exports.default.fetch("https://factory.test/api/live", {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(response.status).toBe(200);
  const body = await response.json<{ ticket: string; url: string; expiresAt: number }>();
  expect(body.url).toBe(`/live?ticket=${body.ticket}`);
  return body.ticket;
}

function openLive(ticketText: string | null, upgrade = true): Promise<Response> {
  const query = ticketText === null ? "" : `?ticket=${encodeURIComponent(ticketText)}`;
  return exports.default.fetch(`https://factory.test/live${query}`, {
    headers: upgrade ? { upgrade: "websocket" } : {},
  });
}

/** A connected page: its socket and every message it got, parsed as the page parses them. */
async function page(): Promise<{ socket: WebSocket; messages: LiveMessage[]; raw: string[] }> {
  const response = await openLive(await ticket());
  expect(response.status).toBe(101);
  const socket = response.webSocket!;
  const messages: LiveMessage[] = [];
  const raw: string[] = [];
  socket.addEventListener("message", (event) => {
    const text = String(event.data);
    raw.push(text);
    if (text === "pong") return;
    const parsed = LiveMessage.safeParse(JSON.parse(text));
    if (parsed.success) messages.push(parsed.data);
  });
  socket.accept();
  return { socket, messages, raw };
}

describe("the dashboard's live socket", () => {
  it("gives a ticket only for the admin token", async () => {
    const response = await exports.default.fetch("https://factory.test/api/live", { method: "POST" });
    expect([response.status, await response.json()]).toEqual([401, { error: "admin token required" }]);
  });

  it("refuses an upgrade without a ticket with 401, before the upgrade", async () => {
    const response = await openLive(null);
    expect([response.status, response.webSocket]).toEqual([401, null]);
    expect(await response.json()).toEqual({ error: "a live ticket from POST /api/live is required" });
  });

  it("refuses a forged ticket and an expired one with 401", async () => {
    const forged = await issueLiveTicket("not-the-admin-token", Date.now());
    expect((await openLive(forged.ticket)).status).toBe(401);
    const old = await issueLiveTicket(ADMIN_TOKEN, Date.now() - 120_000);
    const response = await openLive(old.ticket);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: "the live ticket has expired; ask POST /api/live for another",
    });
  });

  it("answers a valid ticket without an upgrade with 426", async () => {
    expect((await openLive(await ticket(), false)).status).toBe(426);
  });

  it("greets a page, then nudges it when a delivery changes a repo's queue", async () => {
    const { socket, messages } = await page();
    await expect.poll(() => messages[0]?.type).toBe("hello");

    const response = await postDelivery("issues", issuePayload(BACKEND, 57, "opened", "Worker telemetry"));
    expect(response.status).toBe(202);
    await expect
      .poll(() => messages.some((m) => m.type === "changed" && m.scopes.includes(BACKEND)), {
        timeout: 10_000,
      })
      .toBe(true);
    await expect
      .poll(() => messages.some((m) => m.type === "changed" && m.scopes.includes("deliveries")))
      .toBe(true);
    socket.close(1000);
  });

  it("nudges every page when an operator action goes through the API", async () => {
    const first = await page();
    const second = await page();
    await expect.poll(() => first.messages.length > 0 && second.messages.length > 0).toBe(true);
    const response = await exports.default.fetch("https://factory.test/api/pause", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ repo: BACKEND, paused: true }),
    });
    expect(response.status).toBe(200);
    for (const connected of [first, second]) {
      await expect
        .poll(() => connected.messages.some((m) => m.type === "changed" && m.scopes.includes("operator")))
        .toBe(true);
    }
    await exports.default.fetch("https://factory.test/api/pause", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ repo: BACKEND, paused: false }),
    });
    first.socket.close(1000);
    second.socket.close(1000);
  });

  it("answers a page's ping with pong", async () => {
    const { socket, raw } = await page();
    socket.send("ping");
    await expect.poll(() => raw.includes("pong")).toBe(true);
    socket.close(1000);
  });

  it("serves the page's assets with the dashboard's script", async () => {
    const script = await env.ASSETS.fetch("https://factory.test/app.js");
    expect(script.status).toBe(200);
    expect(await script.text()).toContain("/api/live");
  });
});
