/**
 * Issue references as people write them in the `Depends On` field: `#12`, `owner/repo#12`,
 * or an issue/PR URL. Pure; the gate, the board client and the supervisor's cross-repo
 * dependency tracking all parse and compare references through this module.
 */
import type { IssueRef } from "./board-item.ts";

export type ParsedIssueRefs = {
  /** Distinct references in the order written. */
  refs: IssueRef[];
  /** Tokens that are not a reference (reported, never dropped silently). */
  invalid: string[];
};

const SHORT_REF = /^(?:([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+))?#(\d+)$/;
const URL_REF =
  /^https?:\/\/[^/\s]+\/([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)\/(?:issues|pull)\/(\d+)(?:[/?#]\S*)?$/;
/** Words people put in an empty dependency field. */
const NOTHING = new Set(["none", "n/a", "na", "-", "—", "nil"]);

/** Parses one token; `defaultRepo` resolves the short `#12` form. */
export function parseIssueRef(token: string, defaultRepo: string | null): IssueRef | null {
  const text = token.trim();
  const short = SHORT_REF.exec(text);
  if (short) {
    const repo = short[1] ?? defaultRepo;
    const number = Number(short[2]);
    return repo !== null && number > 0 ? { repo, number } : null;
  }
  const url = URL_REF.exec(text);
  if (url?.[1] !== undefined) {
    const number = Number(url[2]);
    return number > 0 ? { repo: url[1], number } : null;
  }
  return null;
}

/** Parses a whole `Depends On` value: tokens separated by commas, semicolons or whitespace. */
export function parseIssueRefs(text: string | null | undefined, defaultRepo: string | null): ParsedIssueRefs {
  const refs: IssueRef[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const token of (text ?? "").split(/[\s,;]+/)) {
    if (token === "" || NOTHING.has(token.toLowerCase())) continue;
    const ref = parseIssueRef(token, defaultRepo);
    if (ref === null) {
      invalid.push(token);
      continue;
    }
    const key = issueRefKey(ref);
    if (!seen.has(key)) {
      seen.add(key);
      refs.push(ref);
    }
  }
  return { refs, invalid };
}

/** A case-insensitive identity for maps and sets (GitHub repo names ignore case). */
export function issueRefKey(ref: IssueRef): string {
  return `${ref.repo.toLowerCase()}#${ref.number}`;
}

export function sameRepo(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.toLowerCase() === b.toLowerCase();
}

/** `#12` within `relativeTo`, `owner/repo#12` otherwise. */
export function formatIssueRef(ref: IssueRef, relativeTo?: string | null): string {
  return sameRepo(ref.repo, relativeTo ?? null) ? `#${ref.number}` : `${ref.repo}#${ref.number}`;
}
