/**
 * What every `wf` command does with its arguments: the item it names, a text option, and
 * printing for people or, with `--json`, the API's answer. Used by commands.ts and
 * claim-commands.ts.
 */
import { parseItemRef, type ItemRef } from "../worker/http/item-ref.ts";
import type { CommandContext } from "./commands.ts";
import { UsageError } from "./settings.ts";

export function itemArg(ctx: CommandContext, index = 0): ItemRef {
  const text = ctx.args[index];
  if (text === undefined) throw new UsageError("name the item: owner/repo#N");
  const ref = parseItemRef(text);
  if (ref === null) throw new UsageError(`"${text}" is not an item; expected owner/repo#N`);
  return ref;
}

export const text = (ctx: CommandContext, name: string): string | undefined => {
  const value = ctx.values[name];
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
};

export const print = (ctx: CommandContext, answer: unknown, human: string): void =>
  ctx.io.out(ctx.json ? JSON.stringify(answer, null, 2) : human);
