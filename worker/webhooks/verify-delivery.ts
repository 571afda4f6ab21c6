/**
 * Reads and verifies one GitHub webhook delivery: size limit, `X-Hub-Signature-256` over the
 * exact bytes of the body as GitHub signed them (before anything is decoded), then the headers,
 * then the body as UTF-8 JSON. Used by the webhook route; every refusal is a typed result with
 * its own HTTP status.
 */
import { signatureMatches } from "./signature.ts";

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
/** GitHub's hook ids are numbers; anything else is not a header GitHub sent. */
const HOOK_ID = /^[0-9]{1,20}$/;

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
  const hookId = request.headers.get("x-github-hook-id");
  if (!deliveryId || !DELIVERY_ID.test(deliveryId)) {
    return { ok: false, status: 400, error: "missing or malformed X-GitHub-Delivery header" };
  }
  if (!event || !EVENT_NAME.test(event)) {
    return { ok: false, status: 400, error: "missing or malformed X-GitHub-Event header" };
  }
  if (hookId !== null && !HOOK_ID.test(hookId)) {
    return { ok: false, status: 400, error: "malformed X-GitHub-Hook-ID header" };
  }
  const decoded = decodeJsonObject(body);
  if (!decoded.ok) return { ok: false, status: 400, error: decoded.error };
  return { ok: true, delivery: { deliveryId, event, hookId, payload: decoded.value } };
}

function tooLarge(): DeliveryCheck {
  return { ok: false, status: 413, error: `payload exceeds ${MAX_WEBHOOK_BYTES} bytes` };
}

/** The body's bytes, or null once they pass the limit (the stream is not read further). */
async function readBody(request: Request): Promise<Uint8Array | null> {
  if (!request.body) return new Uint8Array(0);
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
  return bytes;
}

type Decoded = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

/**
 * GitHub sends UTF-8 JSON without a byte order mark. Anything else, even correctly signed, is
 * not a payload we can read the same way GitHub meant it: a 400, never a guess.
 */
function decodeJsonObject(bytes: Uint8Array): Decoded {
  if (bytes.length === 0) return { ok: false, error: "body is empty" };
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { ok: false, error: "body starts with a byte order mark; GitHub sends UTF-8 JSON without one" };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, error: "body is not valid UTF-8" };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return { ok: false, error: "body is not JSON" };
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return { ok: false, error: "body is not a JSON object" };
  }
  // Narrowed above: a non-null, non-array object parsed from JSON.
  return { ok: true, value: payload as Record<string, unknown> };
}
