/**
 * Helpers for webhook tests in workerd: sign a payload like GitHub does and post it to the
 * Worker through its public fetch surface.
 */
import { sign } from "@octokit/webhooks-methods";
import { exports } from "cloudflare:workers";
import { inject } from "vitest";
import "./provided-context.ts";

export const WEBHOOK_SECRET = "test-webhook-secret";
export const ADMIN_TOKEN = "test-admin-token";

let counter = 0;
export function deliveryId(): string {
  counter += 1;
  return `${crypto.randomUUID()}-${counter}`;
}

/** `sha256=` + hex HMAC-SHA256 of the exact bytes, as GitHub signs a delivery. */
export async function signBytes(secret: string, bytes: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, bytes));
  return `sha256=${[...mac].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

export async function postDelivery(
  event: string,
  body: string | Uint8Array,
  options: { id?: string; signature?: string | null; secret?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": options.id ?? deliveryId(),
    "user-agent": "GitHub-Hookshot/test",
    ...options.headers,
  };
  const secret = options.secret ?? WEBHOOK_SECRET;
  const signature =
    options.signature !== undefined
      ? options.signature
      : typeof body === "string"
        ? await sign(secret, body)
        : await signBytes(secret, body);
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  return exports.default.fetch("https://factory.test/webhooks/github", { method: "POST", headers, body });
}

export async function getState(): Promise<StateBody> {
  const response = await exports.default.fetch("https://factory.test/api/state?deliveries=500", {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  if (response.status !== 200) throw new Error(`GET /api/state answered ${response.status}`);
  return response.json();
}

export interface StateBody {
  deliveries: { id: string; event: string; outcome: string; repo: string | null; detail: string | null }[];
  deliveryCount: number;
  awaitingResolution: { deliveryId: string }[];
  repos: {
    name: string;
    items: { number: number; title: string; state: string; verdict: string; reason: string }[];
    runs: { runId: string; fence: number; state: string; lastHeartbeat: number; leaseExpires: number }[];
    mirror: { items: number; fullReadAt: number | null; scannedAt: number | null };
    passes: number;
    locks: { key: string; number: number | null; holder: string }[];
    budget: { calls: number; byKind: Record<string, { calls: number; points: number }> } | null;
  }[];
  metaQueue: { kind: string; repo: string | null; number: number | null; detail: string }[];
  budget: { calls: number; byKind: Record<string, { calls: number; points: number }> } | null;
}

export const BACKEND = "phoenix-agentic/Phoenix-Agentic-Engine-Backend";

export function issuePayload(
  repo: string,
  number: number,
  action = "opened",
  title = `Issue ${number}`,
  nodeId = `I_${number}`,
): string {
  return JSON.stringify({
    action,
    issue: {
      number,
      node_id: nodeId,
      title,
      state: action === "closed" ? "closed" : "open",
      state_reason: null,
    },
    repository: { full_name: repo, name: repo.split("/")[1] },
    organization: { login: repo.split("/")[0] },
    sender: { login: "octocat" },
  });
}

/** An item of the emulator's sample board, found by its issue (`contentId`: the issue's node id). */
export async function emulatorItem(
  repo: string,
  number: number,
): Promise<{ id: string; projectId: string; contentId: string }> {
  const response = await fetch(`${inject("emulatorUrl")}/_emulator/state`);
  const state = await response.json<{
    issues: { id: string; repo: string; number: number }[];
    items: { id: string; projectId: string; content: { id: string } | null }[];
  }>();
  const issue = state.issues.find((candidate) => candidate.repo === repo && candidate.number === number);
  const item = state.items.find((candidate) => candidate.content?.id === issue?.id);
  if (!item || !issue) throw new Error(`no board item for ${repo}#${number}`);
  return { id: item.id, projectId: item.projectId, contentId: issue.id };
}

export function projectItemPayload(
  itemId: string,
  projectId: string,
  change?: { field: string; to: string },
): string {
  return JSON.stringify({
    action: "edited",
    projects_v2_item: {
      id: 1,
      node_id: itemId,
      project_node_id: projectId,
      content_node_id: null,
      content_type: "Issue",
    },
    changes: change
      ? { field_value: { field_name: change.field, field_type: "single_select", to: { name: change.to } } }
      : undefined,
    organization: { login: "phoenix-agentic" },
    sender: { login: "octocat" },
  });
}
