/**
 * `/api/*`: the operator API, behind `Authorization: Bearer <ADMIN_TOKEN>` (constant-time).
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env.ts";
import { loadWorkspaceConfig } from "../config/load-config.ts";
import { bearerToken, constantTimeEqual } from "../http/constant-time.ts";
import { repoQueueFor, supervisorFor } from "./stubs.ts";

export const api = new Hono<{ Bindings: AppEnv }>();

api.use("*", async (c, next) => {
  const token = bearerToken(c.req.header("authorization"));
  if (!token || !c.env.ADMIN_TOKEN || !(await constantTimeEqual(token, c.env.ADMIN_TOKEN))) {
    throw new HTTPException(401, { message: "admin token required" });
  }
  await next();
});

api.get("/state", async (c) => {
  const config = loadWorkspaceConfig(c.env);
  const limit = Math.min(Math.max(Number(c.req.query("deliveries") ?? "50") || 50, 1), 500);
  const [supervisor, repos] = await Promise.all([
    supervisorFor(c.env).state(limit),
    Promise.all(
      config.repos.map(async (repo) => ({
        name: repo.name,
        ...(await repoQueueFor(c.env, repo.name).state()),
      })),
    ),
  ]);
  return c.json({
    workspace: config.workspace,
    project: config.project,
    deliveries: supervisor.deliveries,
    deliveryCount: supervisor.deliveryCount,
    awaitingResolution: supervisor.awaitingResolution,
    pendingRoutes: supervisor.pendingRoutes,
    repos: repos.map(({ name, items }) => ({ name, items })),
  });
});
