import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import bundled from "../../workspace.config.json";
import { parseWorkspaceConfig } from "../../worker/config/workspace-config.ts";
import { agentTokenFor } from "../../worker/http/agent-token.ts";
import { Dispatch, ServerMessage } from "../../worker/protocol/messages.ts";
import { notify, NotificationLog } from "../../worker/supervisor/notifications.ts";
import { ADMIN_TOKEN } from "./support/deliveries.ts";
import "./support/provided-context.ts";

// Website-Backend and issue numbers no other test file uses: the emulator is shared.
const REPO = "phoenix-agentic/Phoenix-Agentic-Website-Backend";

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return exports.default.fetch(`https://factory.test/api/${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

async function emulator(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${inject("emulatorUrl")}/_emulator/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status >= 300)
    throw new Error(`emulator ${path}: ${response.status} ${await response.text()}`);
}

interface Meta {
  kind: string;
  repo: string | null;
  number: number | null;
  detail: string;
}
const metaQueue = async (): Promise<Meta[]> =>
  ((await (await api("GET", "state")).json()) as { metaQueue: Meta[] }).metaQueue;

describe("one consistent operator API", () => {
  it("refuses a body that is not JSON with 415, in the one error shape", async () => {
    const response = await api("POST", "pause", "repo=x", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({
      error: "expected a JSON body (content-type: application/json), got application/x-www-form-urlencoded",
    });
  });

  it("answers a wrong method on a known path with 405 and the allowed one", async () => {
    const response = await api("GET", "steer");
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect(await response.json()).toEqual({ error: "GET is not allowed here; use POST" });
  });

  it("answers an unknown repository with 404 naming it, and a malformed item with 400", async () => {
    const unknown = await api("POST", "retry", { item: "someone/else#1" });
    expect([unknown.status, await unknown.json()]).toEqual([
      404,
      { error: "repository someone/else is not in the workspace" },
    ]);
    const malformed = await api("POST", "retry", { item: "no-number" });
    expect([malformed.status, await malformed.json()]).toEqual([
      400,
      { error: 'item: expected owner/repo#N, got "no-number"' },
    ]);
  });

  it("pauses every repo, says which changed, and journals a repeated pause once", async () => {
    const first = (await (await api("POST", "pause", { all: true, paused: true })).json()) as {
      changed: string[];
      unchanged: string[];
    };
    expect(first.changed).toHaveLength(5);
    const again = (await (await api("POST", "pause", { all: true, paused: true })).json()) as typeof first;
    expect(again).toMatchObject({ changed: [], unchanged: first.changed });
    const pauses = (await metaQueue()).filter((entry) => entry.kind === "pause" && entry.repo === REPO);
    expect(pauses).toHaveLength(1);
    const resumed = (await (await api("POST", "pause", { all: true, paused: false })).json()) as typeof first;
    expect(resumed.changed).toHaveLength(5);
  });

  it("explains an item with the gate's inputs: its Status, Area, the keys it asks for and who holds them", async () => {
    await emulator("issues", {
      repo: REPO,
      number: 903,
      title: "API: person's claim",
      fields: {
        Status: "In Progress",
        Area: "api",
        "Claim Owner": "dana",
        "Lease Expires": "2099-01-01T00:00:00Z",
      },
    });
    await emulator("issues", {
      repo: REPO,
      number: 904,
      title: "API: waits",
      fields: { Status: "Ready", Area: "api" },
    });
    // No webhooks reach this Worker from the test emulator: reconciliation fills the mirror.
    await api("POST", "reconcile");
    const response = await api("GET", `explain?item=${encodeURIComponent(`${REPO}#904`)}`);
    expect(response.status).toBe(200);
    const explanation = (await response.json()) as Record<string, unknown>;
    expect(explanation).toMatchObject({
      item: `${REPO}#904`,
      summary: "Lock conflict: Issue #903 currently holds overlapping lock key(s).",
      board: { status: "Ready", area: "api" },
      requested: { area: "api", scope: "area", keys: "api" },
      gate: { kind: "conflict" },
      holders: [
        { item: `${REPO}#903`, kind: "person", claimOwner: "dana", heldKeys: "api", overlapping: "api" },
      ],
      dependencies: [],
    });
  });

  it("refuses to release a claim whose lease still runs, and releases one whose lease passed", async () => {
    const live = await api("POST", "release", { item: `${REPO}#903` });
    expect(live.status).toBe(409);
    expect(((await live.json()) as { error: string }).error).toBe(
      `${REPO}#903 is claimed by dana until 2099-01-01T00:00:00Z: the lease still runs`,
    );
    await emulator("field-value", {
      item: `${REPO}#903`,
      field: "Lease Expires",
      value: "2026-01-01T00:00:00Z",
    });
    const released = await api("POST", "release", { item: `${REPO}#903` });
    expect([released.status, await released.json()]).toEqual([
      200,
      {
        item: `${REPO}#903`,
        changed: true,
        detail: "cleared Claim Owner dana, Lease Expires 2026-01-01T00:00:00Z; Status In Progress → Ready",
      },
    ]);
    const again = await api("POST", "release", { item: `${REPO}#903` });
    expect(await again.json()).toEqual({
      item: `${REPO}#903`,
      changed: false,
      detail: "no claim to release",
    });
    const journal = (await metaQueue()).filter((entry) => entry.kind === "claim_released");
    expect(journal).toHaveLength(1);
  });

  it("steers an item's live run by its name, makes up the event id, and applies a repeat once", async () => {
    await emulator("issues", {
      repo: REPO,
      number: 905,
      title: "Infra: steered",
      fields: { Status: "Ready", Area: "infra" },
    });
    const token = await agentTokenFor("test-agent-key", REPO);
    const upgrade = await exports.default.fetch(`https://factory.test/agents/connect?repo=${REPO}`, {
      headers: { upgrade: "websocket", authorization: `Bearer ${token}` },
    });
    const socket = upgrade.webSocket!;
    socket.accept();
    const frames: ServerMessage[] = [];
    socket.addEventListener("message", (event) =>
      frames.push(ServerMessage.parse(JSON.parse(String(event.data)))),
    );
    socket.send(JSON.stringify({ type: "hello", v: 1, agentId: "operator-agent", capacity: 3, runs: [] }));
    await api("POST", "reconcile");
    await expect
      .poll(() => frames.find((f) => f.type === "dispatch" && f.args.issueNumber === 905), {
        timeout: 15_000,
      })
      .toBeDefined();
    const dispatch = Dispatch.parse(frames.find((f) => f.type === "dispatch" && f.args.issueNumber === 905));

    const body = {
      item: `${REPO}#905`,
      command: "append_context",
      reason: "scope note",
      text: "Keep v1 working.",
    };
    const first = await api("POST", "steer", body);
    expect(first.status).toBe(202);
    const sent = (await first.json()) as { runId: string; sourceEventId: string; changed: boolean };
    expect(sent).toMatchObject({ runId: dispatch.runId, changed: true, duplicate: false });
    expect(sent.sourceEventId).toMatch(/^operator-[0-9a-f]{16}$/);
    const repeat = await api("POST", "steer", body);
    expect([repeat.status, await repeat.json()]).toEqual([
      200,
      expect.objectContaining({ changed: false, duplicate: true }),
    ]);
    await expect.poll(() => frames.filter((f) => f.type === "steer")).toHaveLength(1);
    const steers = (await metaQueue()).filter((entry) => entry.kind === "steer" && entry.number === 905);
    expect(steers).toHaveLength(1);

    // A failed attempt waits out its backoff; retry brings it forward and it is dispatched again.
    socket.send(
      JSON.stringify({
        type: "run_finished",
        id: "finished-905",
        runId: dispatch.runId,
        fence: dispatch.fence,
        runSecret: dispatch.runSecret,
        outcome: "failed",
        reason: "tests failed",
        exitCode: 1,
        branch: null,
        commits: [],
        prUrl: null,
      }),
    );
    await expect.poll(() => frames.find((f) => f.type === "reply" && f.id === "finished-905")).toBeDefined();
    const retry = await api("POST", "retry", { item: `${REPO}#905` });
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { detail: string }).detail).toMatch(
      /^retry 2 brought forward from .* to now$/,
    );
    await expect
      .poll(() => frames.filter((f) => f.type === "dispatch" && f.args.issueNumber === 905).length, {
        timeout: 15_000,
      })
      .toBe(2);
    socket.close(1000);
  });

  it("refuses to steer an item that has no live run, saying what it is doing instead", async () => {
    const response = await api("POST", "steer", {
      item: `${REPO}#8`,
      command: "stop_and_requeue",
      reason: "x",
    });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: string }).error).toMatch(
      new RegExp(`^${REPO}#8 has no live run to steer`),
    );
  });
});

describe("notifications", () => {
  it("posts a Slack-compatible message to a real webhook once per cause, and logs a failed send", async () => {
    const sink = inject("notificationSinkUrl");
    const config = parseWorkspaceConfig({ ...bundled, notifications: { webhookUrl: `${sink}/hook` } });
    const stub = env.WORKSPACE_SUPERVISOR.getByName(`notify-${crypto.randomUUID()}`);
    const reports: unknown[] = [];
    const outcomes = await runInDurableObject(stub, async (_, state) => {
      const pending: Promise<unknown>[] = [];
      const deps = {
        config,
        log: new NotificationLog(state.storage.sql),
        fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
        waitUntil: (work: Promise<unknown>) => void pending.push(work),
        now: Date.now,
        report: (event: string, fields: Record<string, unknown>) => void reports.push({ event, ...fields }),
      };
      const cause = {
        kind: "parked",
        repo: REPO,
        number: 8,
        title: "Contact form",
        reason: "3 failures",
        runId: "r-8",
      } as const;
      const first = notify(deps, cause);
      const second = notify(deps, cause);
      await Promise.all(pending);
      const refused = await fetch(`${sink}/_sink/status`, {
        method: "POST",
        body: JSON.stringify({ status: 500 }),
      });
      expect(refused.status).toBe(200);
      const failing = notify(deps, { ...cause, runId: "r-9" });
      await Promise.all(pending);
      await fetch(`${sink}/_sink/status`, { method: "POST", body: JSON.stringify({ status: 200 }) });
      return { first, second, failing, log: deps.log.recent(10) };
    });
    expect(outcomes).toMatchObject({ first: "queued", second: "already_sent", failing: "queued" });
    expect(outcomes.log.map((entry) => entry.outcome).sort()).toEqual(["failed", "sent"]);
    const received = (await (await fetch(`${sink}/_sink/received`)).json()) as { text: string }[];
    const mine = received.filter((body) => body.text.includes(`${REPO}#8`));
    expect(mine).toHaveLength(2);
    expect(mine[0]?.text).toBe(
      `[Worker Factory · phoenix] Parked after its retries: ${REPO}#8 "Contact form": 3 failures — \`wf explain ${REPO}#8\`, then \`wf retry\``,
    );
    expect(reports).toEqual([
      expect.objectContaining({
        event: "notification_failed",
        message: expect.stringMatching(/^answered 500/),
      }),
    ]);
  });
});
