/**
 * GitHub never retries a failed delivery. Reconciliation lists the org hook's deliveries,
 * asks GitHub to redeliver those that never reached the Worker, and the redelivery (same
 * guid) is then accepted and routed. Real Worker (local mode) and the emulator's hook API.
 */
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bundled from "../../workspace.config.json";
import { LOCAL_SECRETS, startLocalMode, type LocalMode } from "../../scripts/dev.ts";

const persistTo = `.wrangler/test-redelivery-${process.pid}`;
let mode: LocalMode;

async function emulator(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${mode.emulatorUrl}/_emulator/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status).toBeLessThan(300);
  return response.json();
}

async function admin(method: string, path: string): Promise<unknown> {
  const response = await fetch(`${mode.workerUrl}/api/${path}`, {
    method,
    headers: { authorization: `Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}` },
  });
  expect(response.status).toBe(200);
  return response.json();
}

beforeAll(async () => {
  const config = { ...bundled, reconcile: { hookId: 1 } };
  mode = await startLocalMode({ port: 0, persistTo, vars: { WORKSPACE_CONFIG: JSON.stringify(config) } });
}, 180_000);

afterAll(async () => {
  await mode?.stop();
  await rm(persistTo, { recursive: true, force: true });
});

describe("reconciliation", () => {
  it("asks GitHub to redeliver a webhook that never reached the Worker, and routes it", async () => {
    const secret = LOCAL_SECRETS.GITHUB_WEBHOOK_SECRET;
    // The Worker is unreachable while a person edits the board: the delivery fails.
    await emulator("PUT", "webhook", { url: "http://127.0.0.1:9/webhooks/github", secret, hookId: 1 });
    await emulator("POST", "field-value", {
      item: "phoenix-agentic/Phoenix-Agentic-Engine-Interface#6",
      field: "Priority",
      value: "P1",
    });
    const log = (await emulator("POST", "deliveries/flush")) as { guid: string; statusCode: number }[];
    const lost = log.at(-1)!;
    expect(lost.statusCode).not.toBe(202);
    await emulator("PUT", "webhook", { url: `${mode.workerUrl}/webhooks/github`, secret, hookId: 1 });

    expect(await admin("POST", "reconcile")).toMatchObject({ redelivered: 1 });
    await expect
      .poll(
        async () => {
          const state = (await admin("GET", "state?deliveries=500")) as {
            deliveries: { id: string; outcome: string; repo: string | null }[];
          };
          return state.deliveries.find((delivery) => delivery.id === lost.guid);
        },
        { timeout: 30_000 },
      )
      .toMatchObject({ outcome: "routed", repo: "phoenix-agentic/Phoenix-Agentic-Engine-Interface" });

    // Once delivered, it is not asked for again.
    expect(await admin("POST", "reconcile")).toMatchObject({ redelivered: 0 });
  });
});
