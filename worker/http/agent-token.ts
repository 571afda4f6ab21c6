/**
 * Per-repo agent tokens, derived rather than stored: token = hex(HMAC-SHA256(AGENT_TOKEN_KEY,
 * "agent:" + lowercased repo)). A token is valid for its one repo only. The operator gets one
 * from `POST /api/agents/token`.
 */
import { constantTimeEqual } from "./constant-time.ts";

const encoder = new TextEncoder();

export async function agentTokenFor(key: string, repo: string): Promise<string> {
  const hmacKey = await crypto.subtle.importKey(
    "raw",
    encoder.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", hmacKey, encoder.encode(`agent:${repo.toLowerCase()}`));
  return [...new Uint8Array(mac)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function agentTokenValid(key: string, repo: string, token: string): Promise<boolean> {
  if (!key) return false;
  return constantTimeEqual(token, await agentTokenFor(key, repo));
}
