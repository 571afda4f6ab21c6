/**
 * Run capabilities: each run gets a random secret, sent once in its dispatch; the RepoQueue
 * keeps only its SHA-256 and accepts a frame about the run only if the frame carries the
 * secret (compared in constant time). Run ids get a random part too, so neither the id nor
 * the fence grants anything. Used by claim-item.ts (create) and agent-frames.ts (check).
 */
import type { AgentMessage } from "../protocol/messages.ts";
import type { Runs } from "./runs.ts";

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** 256 random bits, base64url (43 characters). */
export function newRunSecret(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * `<repo name, 32 chars at most>-<issue>-<16 random hex>`: readable, guesses nothing, and short
 * enough that ids derived from it (`dispatch-<runId>`, a steer's) stay within 128 characters.
 */
export function newRunId(repo: string, number: number): string {
  const name = (repo.split("/")[1] ?? "")
    .replace(/[^A-Za-z0-9._-]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 32);
  const random = [...crypto.getRandomValues(new Uint8Array(8))]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
  return `${name || "run"}-${number}-${random}`;
}

export async function hashRunSecret(secret: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(secret)));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Constant time over two hex digests: every character is compared whatever differs. Plain
 * code rather than workerd's `crypto.subtle.timingSafeEqual`, so the queue modules also run
 * in Node (the bench and the fault simulation).
 */
function digestsEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

type RunFrame = Extract<AgentMessage, { runId: string; fence: number }>;

/**
 * Null when the frame may act on its run: it proves the run's secret, or the run is unknown
 * (the fence check answers that) or was dispatched before runs had secrets. Otherwise why not.
 */
export async function runSecretRefusal(frame: RunFrame, runs: Runs): Promise<string | null> {
  const expected = runs.secretHash(frame.runId);
  if (expected === null) return null;
  if (frame.runSecret === undefined) {
    return `frame for run ${frame.runId} carries no run secret: only the daemon the run was dispatched to may act on it`;
  }
  if (!digestsEqual(await hashRunSecret(frame.runSecret), expected)) {
    return `frame for run ${frame.runId} does not prove the run's secret: only the daemon the run was dispatched to may act on it`;
  }
  return null;
}
