/**
 * The operator's by-item routes of `/api/*` (mounted by api.ts, behind its admin check):
 * explain an item, steer or stop its run, retry it now or unpark it, release a person's stale
 * claim. Items are named `owner/repo#N`; answers say what changed (`changed`, `detail`).
 */
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import type { AppEnv } from "../env.ts";
import { loadWorkspaceConfig } from "../config/load-config.ts";
import { findRepo } from "../config/workspace-config.ts";
import { validationError } from "../http/api-guards.ts";
import { ItemRefText, type ItemRef } from "../http/item-ref.ts";
import { SteeringCommand } from "../protocol/messages.ts";
import type { ActionResult } from "../queue/operator-actions.ts";
import { repoQueueFor, supervisorFor } from "./stubs.ts";

export const apiItems = new Hono<{ Bindings: AppEnv }>();

/** The repo as configured, or a 404 naming it. */
export function configuredRepo(env: AppEnv, name: string): string {
  const repo = findRepo(loadWorkspaceConfig(env), name);
  if (!repo) throw new HTTPException(404, { message: `repository ${name} is not in the workspace` });
  return repo.name;
}

const configuredItem = (env: AppEnv, ref: ItemRef): ItemRef => ({
  repo: configuredRepo(env, ref.repo),
  number: ref.number,
});

apiItems.get("/explain", zValidator("query", z.object({ item: ItemRefText }), validationError), async (c) => {
  const { repo, number } = configuredItem(c.env, c.req.valid("query").item);
  const explanation = await repoQueueFor(c.env, repo).explainItem(repo, number);
  if (explanation === null) {
    throw new HTTPException(404, { message: `${repo}#${number} is neither on the board nor in the queue` });
  }
  return c.json(explanation);
});

const SteerBody = z
  .object({
    /** Steer an item's live run, whatever its run id... */
    item: ItemRefText.optional(),
    /** ...or a run by id, as before (`repo` and `runId`). */
    repo: z.string().optional(),
    runId: z.string().min(1).optional(),
    command: SteeringCommand,
    reason: z.string().min(1),
    /** Made up from the request when absent, so a repeat of the same request is applied once. */
    sourceEventId: z.string().min(1).max(100).optional(),
    text: z.string().max(20_000).default(""),
  })
  .refine((body) => body.item !== undefined || (body.repo !== undefined && body.runId !== undefined), {
    message: 'expected "owner/repo#N" (or repo and runId)',
    path: ["item"],
  });

/** A stable id for a request that brought none: the same command, reason and text give the same id. */
async function madeUpEventId(parts: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\u0000")));
  const hex = [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `operator-${hex.slice(0, 16)}`;
}

apiItems.post("/steer", zValidator("json", SteerBody, validationError), async (c) => {
  const body = c.req.valid("json");
  const sourceEventId =
    body.sourceEventId ??
    c.req.header("idempotency-key") ??
    (await madeUpEventId([body.command, body.reason, body.text]));
  const input = { command: body.command, reason: body.reason, sourceEventId, text: body.text };
  const supervisor = supervisorFor(c.env);
  let item: string | null = null;
  let result;
  if (body.item !== undefined) {
    const { repo, number } = configuredItem(c.env, body.item);
    item = `${repo}#${number}`;
    result = await supervisor.steerItem(repo, number, input);
  } else {
    const repo = configuredRepo(c.env, body.repo ?? "");
    result = await supervisor.steer(repo, { ...input, runId: body.runId ?? "" });
  }
  if (!result.ok) throw new HTTPException(409, { message: result.error });
  return c.json(
    {
      ...result,
      item,
      runId: "runId" in result ? result.runId : body.runId,
      command: body.command,
      sourceEventId,
      changed: !result.duplicate,
    },
    result.duplicate ? 200 : 202,
  );
});

const ItemBody = z.object({ item: ItemRefText });

function answer(result: ActionResult): { item: string; changed: boolean; detail: string } {
  if (result.ok) return { item: result.item, changed: result.changed, detail: result.detail };
  throw new HTTPException(result.code === "not_found" ? 404 : 409, { message: result.error });
}

apiItems.post("/retry", zValidator("json", ItemBody, validationError), async (c) => {
  const { repo, number } = configuredItem(c.env, c.req.valid("json").item);
  return c.json(answer(await supervisorFor(c.env).retryItem(repo, number)));
});

apiItems.post("/release", zValidator("json", ItemBody, validationError), async (c) => {
  const { repo, number } = configuredItem(c.env, c.req.valid("json").item);
  return c.json(answer(await supervisorFor(c.env).releaseClaim(repo, number)));
});
