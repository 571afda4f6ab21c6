import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import bundled from "../../workspace.config.json";
import { BoardClient } from "../../worker/board/board-client.ts";
import { parseWorkspaceConfig } from "../../worker/config/workspace-config.ts";
import { ADMIN_TOKEN } from "./support/deliveries.ts";
import "./support/provided-context.ts";

const FRONTEND = "phoenix-agentic/Phoenix-Agentic-Website-Frontend";

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return exports.default.fetch(`https://factory.test/api/${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

interface State {
  qaSequence: { repo: string; number: number }[];
  metaQueue: { kind: string; repo: string | null; number: number | null; detail: string }[];
  repos: { name: string; paused: boolean; items: { number: number; verdict: string; reason: string }[] }[];
}

async function state(): Promise<State> {
  return (await api("GET", "state")).json();
}

const frontendItem = async (number: number) =>
  (await state()).repos.find((r) => r.name === FRONTEND)?.items.find((i) => i.number === number);

describe("QA sequencing and pausing", () => {
  it("puts an item in QA Required on the board into the operator's QA sequence", async () => {
    expect((await api("POST", "reconcile")).status).toBe(200);
    expect((await state()).qaSequence).toEqual([
      expect.objectContaining({ repo: FRONTEND, number: 22, title: "Header navigation for docs" }),
    ]);
  });

  it("refuses a verdict for an item that is not waiting for QA", async () => {
    const response = await api("POST", "qa/verdict", { repo: FRONTEND, number: 21, verdict: "pass" });
    expect(response.status).toBe(409);
  });

  it("refuses a verdict that is not pass or fail, naming the field", async () => {
    const response = await api("POST", "qa/verdict", { repo: FRONTEND, number: 22, verdict: "maybe" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/^verdict: /);
  });

  it("sends a failed item back to Ready on the board with the note, and out of the sequence", async () => {
    const response = await api("POST", "qa/verdict", {
      repo: FRONTEND,
      number: 22,
      verdict: "fail",
      note: "menu overlaps the logo on mobile",
    });
    expect(response.status).toBe(200);
    expect((await state()).qaSequence).toEqual([]);
    const board = new BoardClient({
      config: parseWorkspaceConfig(bundled),
      auth: { token: "t" },
      apiUrl: inject("emulatorUrl"),
    });
    const item = (await board.listItems()).find((entry) => entry.repo === FRONTEND && entry.number === 22);
    expect(item?.fields.status).toBe("Ready");
    // Back in Ready, it is gated again at once; the note waits as context for its next run.
    await expect.poll(async () => (await frontendItem(22))?.verdict).toBe("runnable");
    expect((await state()).metaQueue[0]).toMatchObject({
      kind: "qa_verdict",
      repo: FRONTEND,
      number: 22,
      detail: "QA failed: menu overlaps the logo on mobile",
    });
  });

  it("holds runnable items while the repo is paused, and lets them go when resumed", async () => {
    expect((await api("POST", "pause", { repo: FRONTEND, paused: true })).status).toBe(200);
    await api("POST", "reconcile");
    expect(await frontendItem(21)).toMatchObject({
      verdict: "runnable",
      reason: "Runnable; dispatch is paused by the operator.",
    });
    expect((await state()).repos.find((r) => r.name === FRONTEND)?.paused).toBe(true);
    await api("POST", "pause", { repo: FRONTEND, paused: false });
    await api("POST", "reconcile");
    expect((await frontendItem(21))?.reason).toBe("Runnable; no agent connected for this repo.");
    expect((await state()).metaQueue.slice(0, 2).map((entry) => entry.kind)).toEqual(["resume", "pause"]);
  });

  it("escalates a person's claim whose lease has passed to the operator, once", async () => {
    const interfaceRepo = "phoenix-agentic/Phoenix-Agentic-Engine-Interface";
    for (const [field, value] of [
      ["Claim Owner", "bob"],
      ["Lease Expires", "2026-01-01T00:00:00Z"],
    ]) {
      const response = await fetch(`${inject("emulatorUrl")}/_emulator/field-value`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ item: `${interfaceRepo}#6`, field, value }),
      });
      expect(response.status).toBe(200);
    }
    await api("POST", "reconcile");
    await api("POST", "reconcile");
    const stale = (await state()).metaQueue.filter((entry) => entry.kind === "stale_claim");
    expect(stale).toEqual([
      expect.objectContaining({
        repo: interfaceRepo,
        number: 6,
        detail: "claim by bob expired 2026-01-01T00:00:00Z; not released automatically",
      }),
    ]);
  });
});
