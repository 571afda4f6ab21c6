/**
 * The README's local command, for real: the emulator and `wrangler dev` (workerd) started by
 * scripts/dev.ts, a webhook signed like GitHub does, and the board driving the gate.
 */
import { rm } from "node:fs/promises";
import { sign } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_SECRETS, startLocalMode, type LocalMode } from "../../scripts/dev.ts";
import { setBoardField } from "./support.ts";

const BACKEND = "phoenix-agentic/Phoenix-Agentic-Engine-Backend";
let mode: LocalMode;
const persistTo = `.wrangler/test-state-${process.pid}`;

interface State {
  deliveries: { id: string; outcome: string; repo: string | null }[];
  repos: { name: string; items: { number: number; verdict: string; reason: string }[] }[];
}

async function state(): Promise<State> {
  const response = await fetch(`${mode.workerUrl}/api/state`, {
    headers: { authorization: `Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}` },
  });
  return (await response.json()) as State;
}

function item(current: State, repo: string, number: number) {
  return current.repos.find((r) => r.name === repo)?.items.find((i) => i.number === number);
}

const setField = (issue: string, field: string, value: string | null): Promise<void> =>
  setBoardField(mode, issue, field, value);

beforeAll(async () => {
  mode = await startLocalMode({ port: 0, persistTo });
}, 120_000);

afterAll(async () => {
  await mode?.stop();
  await rm(persistTo, { recursive: true, force: true });
});

describe("local mode (npm start)", () => {
  it("accepts a webhook signed with the local secret and shows it in /api/state", async () => {
    const body = JSON.stringify({
      action: "opened",
      issue: { number: 57, node_id: "I_57", title: "Worker: retry failed jobs with backoff", state: "open" },
      repository: { full_name: BACKEND },
      sender: { login: "octocat" },
    });
    const id = crypto.randomUUID();
    const response = await fetch(`${mode.workerUrl}/webhooks/github`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "issues",
        "x-github-delivery": id,
        "x-hub-signature-256": await sign(LOCAL_SECRETS.GITHUB_WEBHOOK_SECRET, body),
      },
      body,
    });
    expect([response.status, await response.json()]).toEqual([202, { status: "accepted" }]);
    await expect
      .poll(async () => (await state()).deliveries.find((d) => d.id === id), { timeout: 15_000 })
      .toMatchObject({ outcome: "routed", repo: BACKEND });
  });

  it("gives a Ready item its verdict when its Status is edited on the board, and blocks the item it conflicts with", async () => {
    // #64 (gateway) conflicts with #42, which a person holds in the seed; #63 (contracts) is free.
    await setField(`${BACKEND}#63`, "Status", "Ready");
    await setField(`${BACKEND}#64`, "Status", "Ready");
    await expect
      .poll(async () => item(await state(), BACKEND, 64)?.reason, { timeout: 20_000 })
      .toBe("Lock conflict: Issue #42 currently holds overlapping lock key(s).");
    await expect
      .poll(async () => item(await state(), BACKEND, 63), { timeout: 20_000 })
      .toMatchObject({ verdict: "runnable", reason: "Runnable; no agent connected for this repo." });
  });
});
