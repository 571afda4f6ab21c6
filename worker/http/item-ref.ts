/**
 * An item as operators name it: `owner/repo#N` (also `owner/repo/issues/N` or the issue URL).
 * Pure, with a zod schema for request bodies and queries; the API routes and the `wf` CLI use it.
 */
import { z } from "zod";

export interface ItemRef {
  repo: string;
  number: number;
}

const PATTERNS = [
  /^(?:https?:\/\/[^/]+\/)?([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)\/(?:issues|pull)\/(\d+)\/?$/,
  /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)#(\d+)$/,
];

/** The item named by `text`, or null when it is not `owner/repo#N` (or an issue URL). */
export function parseItemRef(text: string): ItemRef | null {
  const trimmed = text.trim();
  for (const pattern of PATTERNS) {
    const match = pattern.exec(trimmed);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      const number = Number(match[2]);
      if (Number.isSafeInteger(number) && number > 0) return { repo: match[1], number };
    }
  }
  return null;
}

export const ItemRefText = z.string().transform((text, ctx): ItemRef => {
  const ref = parseItemRef(text);
  if (ref === null) {
    ctx.addIssue({ code: "custom", message: `expected owner/repo#N, got "${text.slice(0, 80)}"` });
    return z.NEVER;
  }
  return ref;
});

export const formatItemRef = (ref: ItemRef): string => `${ref.repo}#${ref.number}`;
