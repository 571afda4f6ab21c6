/**
 * Reads and verifies one GitHub webhook delivery: size limit, `X-Hub-Signature-256` over the
 * exact raw body (before anything is parsed), then the headers and the JSON envelope.
 * Used by the webhook route; every refusal is a typed result with its own HTTP status.
 */
import { verify } from "@octokit/webhooks-methods";

/** GitHub caps payloads at 25 MB and does not deliver anything larger. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export interface VerifiedDelivery {
  deliveryId: string;
  event: string;
  hookId: string | null;
  payload: Record<string, unknown>;
}

export type DeliveryCheck =
  { ok: true; delivery: VerifiedDelivery } | { ok: false; status: 400 | 401 | 413; error: string };

const DELIVERY_ID = /^[A-Za-z0-9-]{1,128}$/;
const EVENT_NAME = /^[a-z0-9_]{1,64}$/;

export async function verifyDelivery(request: Request, secrets: readonly string[]): Promise<DeliveryCheck> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_WEBHOOK_BYTES) return tooLarge();
  const body = await readBody(request);
  if (body === null) return tooLarge();

  const signature = request.headers.get("x-hub-signature-256");
  if (!signature) return { ok: false, status: 401, error: "missing X-Hub-Signature-256 header" };
  if (!(await signatureMatches(secrets, body, signature))) {
    return { ok: false, status: 401, error: "signature does not match the payload" };
  }

  const deliveryId = request.headers.get("x-github-delivery");
  const event = request.headers.get("x-github-event");
  if (!deliveryId || !DELIVERY_ID.test(deliveryId)) {
    return { ok: false, status: 400, error: "missing or malformed X-GitHub-Delivery header" };
  }
  if (!event || !EVENT_NAME.test(event)) {
    return { ok: false, status: 400, error: "missing or malformed X-GitHub-Event header" };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return { ok: false, status: 400, error: "body is not JSON" };
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return { ok: false, status: 400, error: "body is not a JSON object" };
  }
  return {
    ok: true,
    delivery: {
      deliveryId,
      event,
      hookId: request.headers.get("x-github-hook-id"),
      payload: payload as Record<string, unknown>,
    },
  };
}

function tooLarge(): DeliveryCheck {
  return { ok: false, status: 413, error: `payload exceeds ${MAX_WEBHOOK_BYTES} bytes` };
}

/** The body as text, or null once it passes the limit (the stream is not read further). */
async function readBody(request: Request): Promise<string | null> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_WEBHOOK_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** `verify` throws on malformed signatures (e.g. non-hex); that is a mismatch, never a 500. */
async function signatureMatches(
  secrets: readonly string[],
  body: string,
  signature: string,
): Promise<boolean> {
  if (!signature.startsWith("sha256=")) return false;
  for (const secret of secrets) {
    if (!secret) continue;
    try {
      if (await verify(secret, body, signature)) return true;
    } catch {
      return false;
    }
  }
  return false;
}
