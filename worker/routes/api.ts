/**
 * `/api/*`: the operator API, behind `Authorization: Bearer <ADMIN_TOKEN>` (constant-time):
 * dispatch state, reconcile now, steer a run, agent tokens.
 */
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import type { AppEnv } from "../env.ts";
import { loadWorkspaceConfig } from "../config/load-config.ts";
import { findRepo } from "../config/workspace-config.ts";
import { agentTokenFor } from "../http/agent-token.ts";
import { bearerToken, constantTimeEqual } from "../http/constant-time.ts";
import { SteeringCommand } from "../protocol/messages.ts";
import { repoQueueFor, supervisorFor } from "./stubs.ts";
import { combineBudgets } from "../board/api-budget.ts";

export const api = new Hono<{ Bindings: AppEnv }>();

const validationError = (result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) => {
  if (!result.success) {
    const issue = result.error?.issues[0];
    throw new HTTPException(400, {
      message: issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "invalid body",
    });
  }
};

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
        ...(await repoQueueFor(c.env, repo.name).state()),
        name: repo.name,
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
    qaSequence: supervisor.qaSequence,
    metaQueue: supervisor.metaQueue,
    /** What is left of GitHub's hourly budget, and what Worker Factory spent, by kind of call. */
    budget: combineBudgets([supervisor.budget, ...repos.map((repo) => repo.budget)]),
    indexes: supervisor.indexes,
    repos: repos.map(({ repo: _repo, ...rest }) => rest),
  });
});

/** Reconcile now: a light scan of every repo (`?full=1`: read every item in full). */
api.post("/reconcile", async (c) =>
  c.json(await supervisorFor(c.env).reconcile({ force: true, full: c.req.query("full") === "1" })),
);

const RepoBody = z.object({ repo: z.string() });

api.post("/agents/token", zValidator("json", RepoBody, validationError), async (c) => {
  const repo = configuredRepo(c.env, c.req.valid("json").repo);
  return c.json({ repo, token: await agentTokenFor(c.env.AGENT_TOKEN_KEY, repo) });
});

const SteerBody = z.object({
  repo: z.string(),
  runId: z.string().min(1),
  command: SteeringCommand,
  reason: z.string().min(1),
  sourceEventId: z.string().min(1),
  text: z.string().default(""),
});

api.post("/steer", zValidator("json", SteerBody, validationError), async (c) => {
  const body = c.req.valid("json");
  const { repo, ...input } = body;
  const result = await supervisorFor(c.env).steer(configuredRepo(c.env, repo), input);
  if (!result.ok) throw new HTTPException(409, { message: result.error });
  return c.json(result, 202);
});

/** The repo named in a body, as configured, or a 404. */
function configuredRepo(env: AppEnv, name: string): string {
  const repo = findRepo(loadWorkspaceConfig(env), name);
  if (!repo) throw new HTTPException(404, { message: "repository is not in the workspace" });
  return repo.name;
}

const QaVerdictBody = z.object({
  repo: z.string(),
  number: z.number().int().positive(),
  verdict: z.enum(["pass", "fail"]),
  note: z.string().max(4000).nullable().default(null),
});

api.post("/qa/verdict", zValidator("json", QaVerdictBody, validationError), async (c) => {
  const body = c.req.valid("json");
  const result = await supervisorFor(c.env).qaVerdict({ ...body, repo: configuredRepo(c.env, body.repo) });
  if (!result.ok) throw new HTTPException(409, { message: result.error });
  return c.json({ status: "recorded" });
});

const QaMoveBody = z.object({
  repo: z.string(),
  number: z.number().int().positive(),
  position: z.number().int().min(0),
});

api.post("/qa/move", zValidator("json", QaMoveBody, validationError), async (c) => {
  const body = c.req.valid("json");
  const moved = await supervisorFor(c.env).moveQa(
    configuredRepo(c.env, body.repo),
    body.number,
    body.position,
  );
  if (!moved)
    throw new HTTPException(404, { message: `${body.repo}#${body.number} is not in the QA sequence` });
  return c.json({ qaSequence: (await supervisorFor(c.env).state(1)).qaSequence });
});

const PauseBody = z.object({ repo: z.string(), paused: z.boolean() });

api.post("/pause", zValidator("json", PauseBody, validationError), async (c) => {
  const body = c.req.valid("json");
  const repo = configuredRepo(c.env, body.repo);
  await supervisorFor(c.env).setPaused(repo, body.paused);
  return c.json({ repo, paused: body.paused });
});
