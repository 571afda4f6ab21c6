/**
 * `GET /agents/connect?repo=owner/name`: the local agent's WebSocket. The repo's bearer token
 * is checked (constant time) before the upgrade; the socket then belongs to that RepoQueue.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env.ts";
import { loadWorkspaceConfig } from "../config/load-config.ts";
import { findRepo } from "../config/workspace-config.ts";
import { agentTokenValid } from "../http/agent-token.ts";
import { bearerToken } from "../http/constant-time.ts";
import { repoQueueFor } from "./stubs.ts";

export const agents = new Hono<{ Bindings: AppEnv }>();

agents.get("/connect", async (c) => {
  const repo = findRepo(loadWorkspaceConfig(c.env), c.req.query("repo") ?? "");
  const token = bearerToken(c.req.header("authorization"));
  if (!repo || !token || !(await agentTokenValid(c.env.AGENT_TOKEN_KEY, repo.name, token))) {
    throw new HTTPException(401, { message: "a valid agent token for this repo is required" });
  }
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new HTTPException(426, { message: "expected a WebSocket upgrade" });
  }
  const headers = new Headers(c.req.raw.headers);
  headers.set("x-worker-factory-repo", repo.name);
  return repoQueueFor(c.env, repo.name).fetch(new Request(c.req.raw.url, { headers }));
});
