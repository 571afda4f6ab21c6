/**
 * `/api/*`: the operator API that `wf` and the dashboard speak, behind
 * `Authorization: Bearer <ADMIN_TOKEN>` (constant-time): dispatch state, reconcile now, agent
 * tokens, the QA sequence and verdicts, pause and resume; by-item actions are in api-items.ts,
 * a person's claim in api-claims.ts. Every refusal is `{ "error": ... }` with its own status.
 * `POST /api/live` hands the dashboard a ticket for its live socket (routes/live.ts); every
 * other action that went through tells the connected dashboards to read the state again.
 */
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import type { AppEnv } from "../env.ts";
import { loadWorkspaceConfig } from "../config/load-config.ts";
import { agentTokenFor } from "../http/agent-token.ts";
import { methodNotAllowed, requireAdmin, requireJsonBody, validationError } from "../http/api-guards.ts";
import { ItemRefText } from "../http/item-ref.ts";
import { apiClaims } from "./api-claims.ts";
import { apiItems, configuredRepo } from "./api-items.ts";
import { repoQueueFor, supervisorFor } from "./stubs.ts";
import { combineBudgets } from "../board/api-budget.ts";
import { issueLiveTicket } from "../http/live-ticket.ts";

export const api = new Hono<{ Bindings: AppEnv }>();

api.use("*", requireAdmin);
api.use("*", requireJsonBody);

/** Paths whose POST changes nothing a dashboard shows. */
const QUIET = new Set(["/api/live", "/api/agents/token"]);

// After an operator action (from `wf`, the dashboard or a script), connected pages re-read the state.
api.use("*", async (c, next) => {
  await next();
  if (c.req.method === "GET" || QUIET.has(c.req.path) || c.error !== undefined || c.res.status >= 400) return;
  c.executionCtx.waitUntil(
    supervisorFor(c.env)
      .operatorChanged()
      .catch((error: unknown) =>
        console.error(JSON.stringify({ event: "live_nudge_failed", error: String(error) })),
      ),
  );
});

/** A ticket for the dashboard's live socket (`GET /live?ticket=...`), valid for a minute. */
api.post("/live", async (c) => {
  loadWorkspaceConfig(c.env); // an invalid config refuses the ticket with its message (503)
  const { ticket, expiresAt } = await issueLiveTicket(c.env.ADMIN_TOKEN, Date.now());
  return c.json({ ticket, expiresAt, url: `/live?ticket=${ticket}` });
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

api.get("/qa", async (c) => {
  const { qaSequence } = await supervisorFor(c.env).state(1);
  return c.json({ current: qaSequence[0] ?? null, qaSequence });
});

/** An item as `item: "owner/repo#N"`, or as `repo` and `number`. */
const ItemFields = {
  item: ItemRefText.optional(),
  repo: z.string().optional(),
  number: z.number().int().positive().optional(),
};

function itemOf(
  env: AppEnv,
  body: { item?: { repo: string; number: number }; repo?: string; number?: number },
) {
  const ref = body.item ?? (body.repo !== undefined && body.number !== undefined ? body : undefined);
  if (ref?.repo === undefined || ref.number === undefined) {
    throw new HTTPException(400, { message: 'item: expected "owner/repo#N" (or repo and number)' });
  }
  return { repo: configuredRepo(env, ref.repo), number: ref.number };
}

const QaVerdictBody = z.object({
  ...ItemFields,
  verdict: z.enum(["pass", "fail"]),
  note: z.string().max(4000).nullable().default(null),
});

api.post("/qa/verdict", zValidator("json", QaVerdictBody, validationError), async (c) => {
  const body = c.req.valid("json");
  const { repo, number } = itemOf(c.env, body);
  const result = await supervisorFor(c.env).qaVerdict({
    repo,
    number,
    verdict: body.verdict,
    note: body.note,
  });
  if (!result.ok) throw new HTTPException(409, { message: result.error });
  const changed = result.changed !== false;
  return c.json({
    item: `${repo}#${number}`,
    verdict: body.verdict,
    changed,
    status: changed ? "recorded" : "already recorded",
  });
});

const QaMoveBody = z.object({ ...ItemFields, position: z.number().int().min(0) });

api.post("/qa/move", zValidator("json", QaMoveBody, validationError), async (c) => {
  const body = c.req.valid("json");
  const { repo, number } = itemOf(c.env, body);
  const moved = await supervisorFor(c.env).moveQa(repo, number, body.position);
  if (!moved) throw new HTTPException(404, { message: `${repo}#${number} is not in the QA sequence` });
  return c.json({ qaSequence: (await supervisorFor(c.env).state(1)).qaSequence });
});

const PauseBody = z
  .object({ repo: z.string().optional(), all: z.literal(true).optional(), paused: z.boolean() })
  .refine((body) => (body.repo === undefined) !== (body.all === undefined), {
    message: "name one repo, or all: true",
    path: ["repo"],
  });

api.post("/pause", zValidator("json", PauseBody, validationError), async (c) => {
  const body = c.req.valid("json");
  const repos =
    body.repo === undefined
      ? loadWorkspaceConfig(c.env).repos.map((repo) => repo.name)
      : [configuredRepo(c.env, body.repo)];
  const results = await supervisorFor(c.env).pauseRepos(repos, body.paused);
  return c.json({
    paused: body.paused,
    changed: results.filter((r) => r.changed).map((r) => r.repo),
    unchanged: results.filter((r) => !r.changed).map((r) => r.repo),
    // The one-repo form keeps its earlier shape too.
    ...(body.repo === undefined ? {} : { repo: repos[0] }),
  });
});

api.get("/notifications", async (c) => {
  const limit = Math.min(Math.max(Number(c.req.query("limit") ?? "50") || 50, 1), 500);
  return c.json({ notifications: await supervisorFor(c.env).notifications(limit) });
});

api.route("/", apiItems);
api.route("/", apiClaims);

const KNOWN: Record<string, string[]> = {
  "/state": ["GET"],
  "/reconcile": ["POST"],
  "/agents/token": ["POST"],
  "/qa": ["GET"],
  "/qa/verdict": ["POST"],
  "/qa/move": ["POST"],
  "/pause": ["POST"],
  "/notifications": ["GET"],
  "/explain": ["GET"],
  "/steer": ["POST"],
  "/retry": ["POST"],
  "/release": ["POST"],
  "/claim": ["POST"],
  "/renew": ["POST"],
  "/unclaim": ["POST"],
  "/live": ["POST"],
};
for (const [path, methods] of Object.entries(KNOWN)) api.all(path, methodNotAllowed(methods));
