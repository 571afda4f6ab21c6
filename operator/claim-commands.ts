/**
 * `wf claim`, `wf renew` and `wf unclaim`: a person's own claim on an item, from the terminal.
 * `claim` runs the dispatch gate and writes Status, Lock Key, Claim Owner and Lease Expires in
 * one request (refused with the seed's conflict message otherwise); `renew` moves the lease
 * on; `unclaim` clears it. (`wf release` is for someone else's stale claim.) Used by commands.ts.
 */
import { formatItemRef } from "../worker/http/item-ref.ts";
import { claimOwner, leaseSeconds } from "./claim-owner.ts";
import type { Command, CommandContext } from "./commands.ts";
import { itemArg, print, text } from "./command-args.ts";
import { relative } from "./render.ts";
import { ClaimAnswer } from "./responses.ts";

const CLEAN_BASE =
  "Before you dispatch other work, commit and push your base branch: agents start their worktrees from origin (the clean-base rule).";

const who = (ctx: CommandContext): string =>
  claimOwner({ as: text(ctx, "as"), config: text(ctx, "config") }, ctx.env);

const lease = (ctx: CommandContext): { leaseSeconds?: number } => {
  const given = text(ctx, "lease");
  return given === undefined ? {} : { leaseSeconds: leaseSeconds(given) };
};

function until(answer: ClaimAnswer, now: number): string {
  const expires = answer.claim?.leaseExpires ?? null;
  if (expires === null) return "";
  const at = Date.parse(expires);
  return Number.isFinite(at) ? `, lease until ${expires} (${relative(at, now)})` : `, lease until ${expires}`;
}

const OWNER_OPTIONS = { as: { type: "string" }, lease: { type: "string" } } as const;

export const CLAIM_COMMANDS: Record<string, Command> = {
  claim: {
    usage: "wf claim owner/repo#N [--as NAME] [--lease 8h]",
    summary:
      "claim an item yourself: the dispatch gate, then Status, Lock Key, Claim Owner and Lease Expires",
    options: OWNER_OPTIONS,
    async run(ctx) {
      const item = formatItemRef(itemArg(ctx));
      const owner = who(ctx);
      const answer = await ctx.client.post("claim", { item, owner, ...lease(ctx) }, ClaimAnswer);
      const claim = answer.claim;
      const head = answer.changed
        ? `${answer.item}: claimed by ${claim?.claimOwner ?? owner} — Status ${claim?.status ?? "?"}, Lock Key ${claim?.lockKey ?? "?"}${until(answer, ctx.io.now())}`
        : `${answer.item}: ${answer.detail}`;
      print(
        ctx,
        answer,
        [
          head,
          CLEAN_BASE,
          `\`wf renew ${item}\` moves the lease on; \`wf unclaim ${item}\` releases it.`,
        ].join("\n"),
      );
    },
  },
  renew: {
    usage: "wf renew owner/repo#N [--as NAME] [--lease 8h]",
    summary: "move the lease of your own claim on",
    options: OWNER_OPTIONS,
    async run(ctx) {
      const item = formatItemRef(itemArg(ctx));
      const answer = await ctx.client.post("renew", { item, owner: who(ctx), ...lease(ctx) }, ClaimAnswer);
      print(ctx, answer, `${answer.item}: ${answer.detail}${until(answer, ctx.io.now())}`);
    },
  },
  unclaim: {
    usage: 'wf unclaim owner/repo#N [--as NAME] [--status "In Review"]',
    summary:
      "release your own claim (Status back to Ready, or --status); wf release is for others' stale ones",
    options: { as: { type: "string" }, status: { type: "string" } },
    async run(ctx) {
      const item = formatItemRef(itemArg(ctx));
      const status = text(ctx, "status") ?? null;
      const answer = await ctx.client.post("unclaim", { item, owner: who(ctx), status }, ClaimAnswer);
      print(ctx, answer, `${answer.item}: ${answer.detail}`);
    },
  },
};
