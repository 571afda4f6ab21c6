/**
 * `wf`'s commands, each a call or two to the operator API and a readable answer (or the API's
 * JSON with `--json`); a person's own claims are in claim-commands.ts. cli.ts parses the
 * command line and runs one of these.
 */
import type { ParseArgsOptionsConfig } from "node:util";
import { formatItemRef } from "../worker/http/item-ref.ts";
import type { ApiClient } from "./api-client.ts";
import { CLAIM_COMMANDS } from "./claim-commands.ts";
import { itemArg, print, text } from "./command-args.ts";
import { renderExplanation, renderStatus } from "./render.ts";
import {
  ActionAnswer,
  Explanation,
  PauseAnswer,
  QaAnswer,
  StateAnswer,
  SteerAnswer,
  TokenAnswer,
  VerdictAnswer,
} from "./responses.ts";
import { UsageError } from "./settings.ts";

export interface Io {
  out: (text: string) => void;
  /** Asks a yes/no question on the terminal; null when there is no terminal to ask on. */
  confirm: ((question: string) => Promise<boolean>) | null;
  now: () => number;
}

export interface CommandContext {
  client: ApiClient;
  json: boolean;
  io: Io;
  /** The environment wf runs in (settings, the claim owner). */
  env: NodeJS.ProcessEnv;
  args: string[];
  values: Record<string, string | boolean | undefined>;
}

export interface Command {
  usage: string;
  summary: string;
  options: ParseArgsOptionsConfig;
  run: (ctx: CommandContext) => Promise<void>;
}

async function pause(ctx: CommandContext, paused: boolean): Promise<void> {
  const all = ctx.values.all === true;
  const repo = ctx.args[0];
  if (all === (repo !== undefined)) throw new UsageError("name one repo (owner/name) or pass --all");
  const answer = await ctx.client.post("pause", all ? { all: true, paused } : { repo, paused }, PauseAnswer);
  const verb = paused ? "paused" : "resumed";
  const lines = [
    ...answer.changed.map((name) => `${name}: dispatch ${verb}`),
    ...answer.unchanged.map((name) => `${name}: already ${paused ? "paused" : "dispatching"}`),
  ];
  print(ctx, answer, lines.join("\n"));
}

async function verdict(ctx: CommandContext, verdict: "pass" | "fail"): Promise<void> {
  let item = ctx.args[0] === undefined ? null : itemArg(ctx);
  if (item === null) {
    const { current } = await ctx.client.get("qa", QaAnswer);
    if (current === null) throw new UsageError("nothing is waiting for QA");
    item = { repo: current.repo, number: current.number };
  }
  const note = text(ctx, "note") ?? null;
  const answer = await ctx.client.post(
    "qa/verdict",
    { item: formatItemRef(item), verdict, note },
    VerdictAnswer,
  );
  const what = verdict === "pass" ? "QA passed" : "QA failed";
  print(
    ctx,
    answer,
    answer.changed ? `${answer.item}: ${what}${note ? `: ${note}` : ""}` : `${answer.item}: ${what} already`,
  );
}

async function steer(ctx: CommandContext, body: Record<string, string>): Promise<void> {
  const item = formatItemRef(itemArg(ctx));
  const eventId = text(ctx, "event-id");
  const answer = await ctx.client.post(
    "steer",
    { item, ...body, ...(eventId === undefined ? {} : { sourceEventId: eventId }) },
    SteerAnswer,
  );
  const where = answer.queued ? "queued until its agent reconnects" : "sent to its agent";
  print(
    ctx,
    answer,
    answer.changed
      ? `${item}: ${answer.command} ${where} (run ${answer.runId ?? "?"}, event ${answer.sourceEventId})`
      : `${item}: already sent (run ${answer.runId ?? "?"}, event ${answer.sourceEventId}); nothing sent again`,
  );
}

export const COMMANDS: Record<string, Command> = {
  status: {
    usage: "wf status [owner/repo]",
    summary: "what runs, who holds what, what waits and why, the next QA, the budget",
    options: {},
    async run(ctx) {
      const state = await ctx.client.get("state?deliveries=1", StateAnswer);
      const repo = ctx.args[0];
      if (repo !== undefined && !state.repos.some((r) => r.name.toLowerCase() === repo.toLowerCase())) {
        throw new UsageError(`repository ${repo} is not in the workspace`);
      }
      print(ctx, state, renderStatus(state, ctx.io.now(), repo === undefined ? {} : { repo }));
    },
  },
  explain: {
    usage: "wf explain owner/repo#N",
    summary: "why an item is or is not running, with the gate's inputs",
    options: {},
    async run(ctx) {
      const item = formatItemRef(itemArg(ctx));
      const answer = await ctx.client.get(`explain?item=${encodeURIComponent(item)}`, Explanation);
      print(ctx, answer, renderExplanation(answer, ctx.io.now()));
    },
  },
  qa: {
    usage: 'wf qa next | wf qa pass [owner/repo#N] [--note "..."] | wf qa fail [owner/repo#N] --note "..."',
    summary: "the QA sequence: what to QA next, and your verdict (default: the current item)",
    options: { note: { type: "string" } },
    async run(ctx) {
      const [sub, ...rest] = ctx.args;
      const inner = { ...ctx, args: rest };
      if (sub === "next") {
        const answer = await ctx.client.get("qa", QaAnswer);
        const lines = answer.qaSequence.map(
          (entry, index) =>
            `${index === 0 ? "now " : `${index + 1}.  `} ${entry.repo}#${entry.number} ${entry.title}${entry.url ? `  ${entry.url}` : ""}`,
        );
        return print(ctx, answer, lines.length === 0 ? "Nothing is waiting for QA." : lines.join("\n"));
      }
      if (sub === "pass" || sub === "fail") return verdict(inner, sub);
      throw new UsageError("expected wf qa next, wf qa pass or wf qa fail");
    },
  },
  steer: {
    usage: 'wf steer owner/repo#N --text "..." [--checkpoint] [--reason "..."] [--event-id ID]',
    summary: "add context to an item's live run (or make it checkpoint and replan)",
    options: {
      text: { type: "string" },
      reason: { type: "string" },
      checkpoint: { type: "boolean" },
      "event-id": { type: "string" },
    },
    async run(ctx) {
      const body = text(ctx, "text");
      if (body === undefined) throw new UsageError("--text is required: the context to give the agent");
      const command = ctx.values.checkpoint === true ? "checkpoint_and_replan" : "append_context";
      await steer(ctx, { command, text: body, reason: text(ctx, "reason") ?? "context from the operator" });
    },
  },
  stop: {
    usage: 'wf stop owner/repo#N --reason "..." [--event-id ID]',
    summary: "stop an item's live run; the item goes back to the queue",
    options: { reason: { type: "string" }, "event-id": { type: "string" } },
    async run(ctx) {
      const reason = text(ctx, "reason");
      if (reason === undefined) throw new UsageError("--reason is required: why the run stops");
      await steer(ctx, { command: "stop_and_requeue", reason, text: "" });
    },
  },
  retry: {
    usage: "wf retry owner/repo#N",
    summary: "retry now: cut a retry backoff short, or unpark an item parked after its retries",
    options: {},
    async run(ctx) {
      const answer = await ctx.client.post("retry", { item: formatItemRef(itemArg(ctx)) }, ActionAnswer);
      print(ctx, answer, `${answer.item}: ${answer.detail}`);
    },
  },
  pause: {
    usage: "wf pause owner/repo | wf pause --all",
    summary: "stop dispatching new runs (runs already going keep going)",
    options: { all: { type: "boolean" } },
    run: (ctx) => pause(ctx, true),
  },
  resume: {
    usage: "wf resume owner/repo | wf resume --all",
    summary: "dispatch again",
    options: { all: { type: "boolean" } },
    run: (ctx) => pause(ctx, false),
  },
  ...CLAIM_COMMANDS,
  release: {
    usage: "wf release owner/repo#N [--yes]",
    summary: "release someone's stale claim (lease passed), after you confirm; yours: wf unclaim",
    options: { yes: { type: "boolean", short: "y" } },
    async run(ctx) {
      const item = formatItemRef(itemArg(ctx));
      if (ctx.values.yes !== true) {
        const seen = await ctx.client.get(`explain?item=${encodeURIComponent(item)}`, Explanation);
        const claim = seen.board?.claimOwner ?? null;
        if (claim === null) throw new UsageError(`${item} has no claim to release`);
        if (ctx.io.confirm === null) {
          throw new UsageError(
            `no terminal to confirm on: pass --yes to release ${claim}'s claim on ${item}`,
          );
        }
        const question = `Release ${claim}'s claim on ${item} (lease ${seen.board?.leaseExpires ?? "none"}, keys ${seen.board?.lockKey ?? "from its Area"})? The lock fields are cleared and an active Status goes back to Ready.`;
        if (!(await ctx.io.confirm(question))) throw new UsageError("not released");
      }
      const answer = await ctx.client.post("release", { item }, ActionAnswer);
      print(ctx, answer, `${answer.item}: ${answer.detail}`);
    },
  },
  token: {
    usage: "wf token owner/repo",
    summary: "print the agent token of one repo (for its local-agent daemon)",
    options: {},
    async run(ctx) {
      const repo = ctx.args[0];
      if (repo === undefined) throw new UsageError("name the repo: owner/name");
      const answer = await ctx.client.post("agents/token", { repo }, TokenAnswer);
      print(ctx, answer, answer.token);
    },
  },
};
