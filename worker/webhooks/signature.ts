/**
 * GitHub's `X-Hub-Signature-256`: `sha256=` and the hex HMAC-SHA256 of the body's exact bytes
 * under the webhook secret. Checked over those bytes with WebCrypto (`crypto.subtle.verify`
 * compares in constant time), against each configured secret in turn so a rotation
 * (GITHUB_WEBHOOK_SECRET_PREVIOUS) accepts both. Used by verify-delivery.ts.
 */
const encoder = new TextEncoder();
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/** Whether `signature` is a valid `sha256=` HMAC of `body` under one of `secrets` (empty ones are skipped). */
export async function signatureMatches(
  secrets: readonly string[],
  body: Uint8Array,
  signature: string,
): Promise<boolean> {
  const match = SIGNATURE.exec(signature.trim());
  if (!match?.[1]) return false;
  const mac = hexBytes(match[1]);
  for (const secret of secrets) {
    if (!secret) continue;
    const key = await crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    if (await crypto.subtle.verify("HMAC", key, mac, body)) return true;
  }
  return false;
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
