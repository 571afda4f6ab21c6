/**
 * The README's local command, for real: the emulator and `wrangler dev` (workerd) started by
 * scripts/dev.ts, a webhook signed like GitHub does, and the board driving the gate.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
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

const run = promisify(execFile);

/** `npm start` itself, as a newcomer runs it; resolves with its exit code and output. */
async function npmStart(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, ["scripts/dev.ts", ...args], { timeout: 60_000 });
    return { code: 0, stderr: "" };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? "" };
  }
}

describe("local mode (npm start)", () => {
  it("shows every repo's Ready and QA items at once, with no reconcile call", async () => {
    const current = await state();
    const numbers = (repo: string) =>
      current.repos
        .find((r) => r.name === `phoenix-agentic/${repo}`)
        ?.items.map((i) => i.number)
        .sort();
    expect(numbers("Phoenix-Agentic-Engine")).toEqual([12]);
    expect(numbers("Phoenix-Agentic-Engine-Interface")).toEqual([5]);
    expect(numbers("Phoenix-Agentic-Website-Frontend")).toEqual([21, 22]);
    expect(numbers("Phoenix-Agentic-Engine-Backend")).toEqual(expect.arrayContaining([70, 71, 72]));
  });

  it("stops at once with the bad key named, and a non-zero exit, on an invalid workspace config", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-bad-config-"));
    try {
      const broken = join(dir, "broken.json");
      await writeFile(broken, '{ "workspace": "x", ');
      const syntax = await npmStart("--port", "0", "--workspace-config", broken);
      expect(syntax.code).toBe(1);
      expect(syntax.stderr).toContain(`${broken}: invalid workspace config: (root): not valid JSON`);

      const wrongKey = join(dir, "wrong-key.json");
      await writeFile(
        wrongKey,
        JSON.stringify({
          workspace: "x",
          project: { org: "o", number: 1 },
          repos: [{ name: "o/r", areas: [{ name: "docs", paths: ["docs/"] }] }],
          lease: { durationSecs: 60 },
        }),
      );
      const schema = await npmStart("--port", "0", "--workspace-config", wrongKey);
      expect(schema.code).toBe(1);
      expect(schema.stderr).toContain('lease: Unrecognized key: "durationSecs"');
      const port = await npmStart("--port", "http");
      expect([port.code, port.stderr.trim()]).toEqual([
        1,
        'npm start: --port: expected a port number, got "http"',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

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
