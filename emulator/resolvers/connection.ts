/**
 * Relay connections as GitHub serves them: `nodes`, `edges { cursor node }`, `pageInfo`,
 * `totalCount`, paged by `first`/`after` or `last`/`before`. Cursors are opaque base64
 * offsets. Used by every list field of the views.
 */
import { z } from "zod";
import { githubError } from "./resolver-context.ts";

export const ConnectionArgs = z.looseObject({
  first: z.number().int().nullish(),
  last: z.number().int().nullish(),
  after: z.string().nullish(),
  before: z.string().nullish(),
});

function encodeCursor(index: number): string {
  return Buffer.from(`cursor:v2:${index}`).toString("base64");
}

function decodeCursor(cursor: string): number {
  const match = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  if (match?.[1] === undefined) {
    throw githubError("INVALID_CURSOR_ARGUMENTS", `\`${cursor}\` does not appear to be a valid cursor.`);
  }
  return Number(match[1]);
}

export interface ConnectionView {
  totalCount: number;
  nodes: unknown[];
  edges: { cursor: string; node: unknown }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

export function connection<T>(
  all: readonly T[],
  rawArgs: unknown,
  toNode: (record: T) => unknown,
): ConnectionView {
  const args = ConnectionArgs.parse(rawArgs ?? {});
  let start = 0;
  let end = all.length;
  if (args.after != null) start = Math.min(all.length, decodeCursor(args.after) + 1);
  if (args.before != null) end = Math.max(start, Math.min(end, decodeCursor(args.before)));
  let from = start;
  let to = end;
  if (args.first != null) to = Math.min(end, from + Math.max(0, args.first));
  if (args.last != null) from = Math.max(from, to - Math.max(0, args.last));
  const edges = all
    .slice(from, to)
    .map((record, offset) => ({ cursor: encodeCursor(from + offset), node: toNode(record) }));
  return {
    totalCount: all.length,
    nodes: edges.map((edge) => edge.node),
    edges,
    pageInfo: {
      hasNextPage: to < end,
      hasPreviousPage: from > start,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
