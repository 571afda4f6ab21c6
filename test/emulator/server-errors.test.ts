import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { graphql } from "./support.ts";

let emulator: RunningEmulator;
let clock = Date.parse("2031-05-01T10:00:00Z");
beforeAll(async () => {
  emulator = await startEmulator({ now: () => clock });
});
afterAll(async () => {
  await emulator.close();
});

const admin = (path: string, body: unknown) =>
  fetch(`${emulator.url}/_emulator/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("injected server errors", () => {
  it("answers the next requests with the injected status, then serves again", async () => {
    expect((await admin("server-errors", { requests: 2, status: 502 })).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const failed = await fetch(`${emulator.url}/graphql`, {
        method: "POST",
        headers: { authorization: "bearer t", "content-type": "application/json" },
        body: JSON.stringify({ query: "{ viewer { login } }" }),
      });
      expect(failed.status).toBe(502);
      expect(await failed.json()).toMatchObject({ message: "Bad Gateway" });
    }
    expect((await graphql(emulator.url, "{ viewer { login } }")).status).toBe(200);
  });

  it("lets a write land and loses only its answer when afterWrite is set", async () => {
    await admin("server-errors", { requests: 1, status: 504, afterWrite: true });
    const edit = await admin("field-value", {
      item: "phoenix-agentic/Phoenix-Agentic-Engine-Backend#42",
      field: "Area",
      value: "docs",
    });
    expect(edit.status).toBe(200);
    // Admin calls are not the API: the fault is still pending for the next GraphQL request.
    const lost = await fetch(`${emulator.url}/graphql`, {
      method: "POST",
      headers: { authorization: "bearer t", "content-type": "application/json" },
      body: JSON.stringify({ query: "{ viewer { login } }" }),
    });
    expect(lost.status).toBe(504);
    expect(await (await fetch(`${emulator.url}/_emulator/server-errors`)).json()).toMatchObject({
      pending: null,
    });
  });

  it("stamps writes with the configured clock", async () => {
    clock = Date.parse("2031-05-01T12:34:56Z");
    await admin("field-value", {
      item: "phoenix-agentic/Phoenix-Agentic-Engine-Backend#42",
      field: "Area",
      value: "ci",
    });
    const state = await (await fetch(`${emulator.url}/_emulator/state`)).json();
    expect(JSON.stringify(state)).toContain("2031-05-01T12:34:56.000Z");
  });
});
