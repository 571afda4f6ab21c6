/**
 * A wrong agent token: the Worker answers 401 before the upgrade. The connection gives up at
 * once with a clear reason instead of reconnecting forever (tested against a real HTTP server
 * on loopback that refuses the upgrade as the Worker's route does).
 */
import { once } from "node:events";
import { createServer } from "node:http";
import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { RepoQueueConnection } from "../../local-agent/connect.ts";
import { createLogger, type LogRecord } from "../../local-agent/logger.ts";
import { StateStore } from "../../local-agent/state-store.ts";
import { makeRepos, type Repos } from "./support/git-repos.ts";

let repos: Repos;
afterEach(() => {
  if (repos) rmSync(repos.root, { recursive: true, force: true });
});

describe("a refused agent token", () => {
  it("stops the connection with the reason on a 401, and schedules no reconnect", async () => {
    repos = makeRepos();
    let upgrades = 0;
    const server = createServer((_request, response) => {
      response.writeHead(404).end();
    });
    server.on("upgrade", (_request, socket) => {
      upgrades++;
      const body = JSON.stringify({ error: "a valid agent token for this repo is required" });
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const records: LogRecord[] = [];
    let onDisconnect: () => void = () => undefined;
    const disconnected = new Promise<void>((resolve) => {
      onDisconnect = resolve;
    });
    const logger = createLogger((record) => {
      records.push(record);
      if (record.event === "disconnected") onDisconnect();
    });
    const connection = new RepoQueueConnection({
      workerUrl: `http://127.0.0.1:${address.port}`,
      repo: "acme/widgets",
      token: "wrong",
      store: new StateStore(repos.runFolder, logger),
      logger,
      backoffInitialMs: 10,
      handlers: {
        hello: () => ({ agentId: "a", capacity: 1, runs: [] }),
        onWelcome: () => undefined,
        onDispatch: () => undefined,
        onSteer: () => undefined,
        onStaleFence: () => undefined,
      },
    });
    connection.start();
    const reason = await connection.refused;
    await disconnected;
    expect(reason).toBe(
      "the Worker refused the agent token for acme/widgets (401): the token is wrong, or the repo is not in the workspace",
    );
    // The reconnect would be scheduled in the same tick as the disconnect: there is none.
    expect(records.map((record) => record.event)).not.toContain("reconnect_scheduled");
    expect(upgrades).toBe(1);
    expect(records.find((record) => record.event === "token_refused")).toMatchObject({
      level: "error",
      hint: "get the token with `npx wf token acme/widgets`",
    });
    await connection.close();
    server.close();
  });
});
