/**
 * A person's claim from the terminal, routes of `/api/*` (mounted by api.ts behind its admin
 * check): `POST /api/claim` runs the dispatch gate and writes the claim, `POST /api/renew`
 * moves its lease on, `POST /api/unclaim` clears it. `wf claim`, `wf renew` and `wf unclaim`
 * speak them. Answers say what changed and the claim as the board now shows it.
 */
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import type { AppEnv } from "../env.ts";
import { loadWorkspaceConfig } from "../config/load-config.ts";
import { validationError } from "../http/api-guards.ts";
import { ItemRefText } from "../http/item-ref.ts";
import { ownerRefusal, type PersonClaimResult } from "../queue/person-claims.ts";
import { configuredRepo } from "./api-items.ts";
import { supervisorFor } from "./stubs.ts";

export const apiClaims = new Hono<{ Bindings: AppEnv }>();

const MAX_LEASE_SECONDS = 30 * 24 * 60 * 60;

const Owner = z
  .string()
  .max(100)
  .superRefine((owner, ctx) => {
    const refusal = ownerRefusal(owner);
    if (refusal !== null) ctx.addIssue({ code: "custom", message: refusal.replace(/^owner: /, "") });
  });
const LeaseSeconds = z.number().int().min(60).max(MAX_LEASE_SECONDS).optional();

const ClaimBody = z.object({ item: ItemRefText, owner: Owner, leaseSeconds: LeaseSeconds });
const UnclaimBody = z.object({
  item: ItemRefText,
  owner: Owner,
  /** The Status to leave the item in; by default Ready when it still held the lock. */
  status: z.string().min(1).max(100).nullable().default(null),
});

function answer(result: PersonClaimResult) {
  if (result.ok)
    return { item: result.item, changed: result.changed, detail: result.detail, claim: result.claim };
  const status = result.code === "not_found" ? 404 : result.code === "invalid" ? 400 : 409;
  throw new HTTPException(status, { message: result.error });
}

apiClaims.post("/claim", zValidator("json", ClaimBody, validationError), async (c) => {
  const body = c.req.valid("json");
  const repo = configuredRepo(c.env, body.item.repo);
  const leaseSeconds = body.leaseSeconds ?? loadWorkspaceConfig(c.env).claims.leaseSeconds;
  const result = await supervisorFor(c.env).personClaim(repo, body.item.number, {
    action: "claim",
    owner: body.owner.trim(),
    leaseSeconds,
  });
  return c.json(answer(result));
});

apiClaims.post("/renew", zValidator("json", ClaimBody, validationError), async (c) => {
  const body = c.req.valid("json");
  const repo = configuredRepo(c.env, body.item.repo);
  const leaseSeconds = body.leaseSeconds ?? loadWorkspaceConfig(c.env).claims.leaseSeconds;
  const result = await supervisorFor(c.env).personClaim(repo, body.item.number, {
    action: "renew",
    owner: body.owner.trim(),
    leaseSeconds,
  });
  return c.json(answer(result));
});

apiClaims.post("/unclaim", zValidator("json", UnclaimBody, validationError), async (c) => {
  const body = c.req.valid("json");
  const repo = configuredRepo(c.env, body.item.repo);
  const result = await supervisorFor(c.env).personClaim(repo, body.item.number, {
    action: "unclaim",
    owner: body.owner.trim(),
    status: body.status,
  });
  return c.json(answer(result));
});
