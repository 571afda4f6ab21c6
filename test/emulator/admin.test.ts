import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { largeBoardSeed } from "../../emulator/seed/large-board.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { at, graphql } from "./support.ts";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});
afterEach(async () => {
  await post("/_emulator/reset", {});
});

async function post(
  path: string,
  body: unknown,
  method = "POST",
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function statusOf(issue: string): Promise<unknown> {
  const [repo = "", number = "0"] = issue.split("#");
  const [owner, name] = repo.split("/");
  const reply = await graphql(
    emulator.url,
    `
      query ($owner: String!, $name: String!, $number: Int!) {
        repository(owner: $owner, name: $name) {
          issue(number: $number) {
            state
            projectItems(first: 5) {
              nodes {
                fieldValueByName(name: "Status") {
                  ... on ProjectV2ItemFieldSingleSelectValue {
                    name
                  }
                }
              }
            }
          }
        }
      }
    `,
    { owner, name, number: Number(number) },
  );
  return at(reply.body.data, "repository", "issue", "projectItems", "nodes", 0, "fieldValueByName", "name");
}

describe("admin API", () => {
  it("edits an item's field by name as a person would", async () => {
    const edit = await post("/_emulator/field-value", {
      item: "phoenix-agentic/Phoenix-Agentic-Engine-Backend#64",
      field: "status",
      value: "ready",
    });
    expect(edit.status).toBe(200);
    expect(await statusOf("phoenix-agentic/Phoenix-Agentic-Engine-Backend#64")).toBe("Ready");
  });

  it("refuses an option the field does not have, naming the options", async () => {
    const edit = await post("/_emulator/field-value", {
      item: "phoenix-agentic/Phoenix-Agentic-Engine-Backend#64",
      field: "Status",
      value: "Doing",
    });
    expect(edit.status).toBe(422);
    expect(at(edit.json, "error")).toMatch(/"Doing" is not an option of "Status" \(options: Triage, Backlog/);
  });

  it("answers 400 with the bad key for a malformed body", async () => {
    const edit = await post("/_emulator/field-value", { field: "Status", value: "Ready" });
    expect(edit.status).toBe(400);
    expect(at(edit.json, "error")).toMatch(/item/);
  });

  it("closes and reopens an issue", async () => {
    expect(
      (await post("/_emulator/issues/close", { issue: "phoenix-agentic/Phoenix-Agentic-Engine-Backend#57" }))
        .json,
    ).toMatchObject({
      state: "CLOSED",
      stateReason: "COMPLETED",
    });
    expect(
      (await post("/_emulator/issues/reopen", { issue: "phoenix-agentic/Phoenix-Agentic-Engine-Backend#57" }))
        .json,
    ).toMatchObject({
      state: "OPEN",
      stateReason: "REOPENED",
    });
  });

  it("adds an issue with a project item and field values", async () => {
    const created = await post("/_emulator/issues", {
      repo: "phoenix-agentic/Phoenix-Agentic-Engine-Backend",
      title: "Gateway: new endpoint",
      fields: { Status: "Ready", Area: "gateway" },
    });
    expect(created.status).toBe(201);
    expect(at(created.json, "number")).toBe(81);
    expect(await statusOf("phoenix-agentic/Phoenix-Agentic-Engine-Backend#81")).toBe("Ready");
  });

  it("resets to the seed it started from", async () => {
    await post("/_emulator/field-value", {
      item: "phoenix-agentic/Phoenix-Agentic-Engine-Backend#64",
      field: "Status",
      value: "Done",
    });
    await post("/_emulator/reset", {});
    expect(await statusOf("phoenix-agentic/Phoenix-Agentic-Engine-Backend#64")).toBe("Backlog");
  });

  it("replaces the board with a new seed and refuses an invalid one with its problems", async () => {
    const own = await startEmulator({ seed: null });
    const put = async (body: unknown) => {
      const response = await fetch(`${own.url}/_emulator/seed`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, json: await response.json() };
    };
    try {
      expect((await put(largeBoardSeed({ items: 5 }))).json).toEqual({ status: "loaded", items: 5 });
      const bad = await put({
        projects: [{ org: "o", number: 1, title: "t", items: [{ content: "o/r#1" }] }],
      });
      expect(bad.status).toBe(400);
      expect(at(bad.json, "problems")).toEqual([
        "project 1 item 0 (o/r#1): o/r#1 is not a seeded issue or pull request",
      ]);
      expect(own.store.state.items).toHaveLength(5);
    } finally {
      await own.close();
    }
  });
});

describe("state file", () => {
  it("keeps the board across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emulator-state-"));
    const statePath = join(dir, "state.json");
    try {
      const first = await startEmulator({ statePath });
      const edit = await fetch(`${first.url}/_emulator/field-value`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          item: "phoenix-agentic/Phoenix-Agentic-Engine-Backend#63",
          field: "Status",
          value: "Ready",
        }),
      });
      expect(edit.status).toBe(200);
      await first.close();
      const second = await startEmulator({ statePath });
      const project = second.store.projectByNumber("phoenix-agentic", 1);
      const issue = second.store.issueByNumber("phoenix-agentic/Phoenix-Agentic-Engine-Backend", 63);
      const item = second.store.state.items.find((i) => i.content.id === issue?.id);
      const status = project && second.store.fieldByName(project, "Status");
      const optionId = status && item ? item.values[status.id]?.value : undefined;
      expect(
        status?.options.find((o) => optionId?.kind === "singleSelect" && o.id === optionId.optionId)?.name,
      ).toBe("Ready");
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
