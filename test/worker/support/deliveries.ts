/**
 * Helpers for webhook tests in workerd: sign a payload like GitHub does and post it to the
 * Worker through its public fetch surface.
 */
import { sign } from "@octokit/webhooks-methods";
import { exports } from "cloudflare:workers";

export const WEBHOOK_SECRET = "test-webhook-secret";
export const ADMIN_TOKEN = "test-admin-token";

let counter = 0;
export function deliveryId(): string {
  counter += 1;
  return `${crypto.randomUUID()}-${counter}`;
}

export async function postDelivery(
  event: string,
  body: string,
  options: { id?: string; signature?: string | null; secret?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": options.id ?? deliveryId(),
    "user-agent": "GitHub-Hookshot/test",
    ...options.headers,
  };
  const signature =
    options.signature === undefined ? await sign(options.secret ?? WEBHOOK_SECRET, body) : options.signature;
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
  repos: { name: string; items: { number: number; title: string; state: string }[] }[];
}

export const BACKEND = "phoenix-agentic/Phoenix-Agentic-Engine-Backend";

export function issuePayload(
  repo: string,
  number: number,
  action = "opened",
  title = `Issue ${number}`,
): string {
  return JSON.stringify({
    action,
    issue: {
      number,
      node_id: `I_${number}`,
      title,
      state: action === "closed" ? "closed" : "open",
      state_reason: null,
    },
    repository: { full_name: repo, name: repo.split("/")[1] },
    organization: { login: repo.split("/")[0] },
    sender: { login: "octocat" },
  });
}
