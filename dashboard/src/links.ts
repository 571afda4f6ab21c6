/**
 * Links the page shows: an item's issue (the mirror's URL, or built from owner/repo#N), a
 * run's branch, a repo, and in-page anchors; and the references inside a gate's reason
 * (`owner/repo#N`, `Issue #N`), split out so the page can link them.
 */
export const GITHUB = "https://github.com";

export const repoUrl = (repo: string): string => `${GITHUB}/${repo}`;

export const issueUrl = (repo: string, number: number, url?: string | null): string =>
  url ?? `${GITHUB}/${repo}/issues/${number}`;

export const branchUrl = (repo: string, branch: string): string =>
  `${GITHUB}/${repo}/tree/${branch.split("/").map(encodeURIComponent).join("/")}`;

/** The id of an item's row in the queue, for in-page links (a dependency, a lock's holder). */
export const itemAnchor = (repo: string, number: number): string =>
  `item-${repo.replace(/[^A-Za-z0-9]+/g, "-")}-${number}`;

export const lockAnchor = (repo: string, number: number): string =>
  `lock-${repo.replace(/[^A-Za-z0-9]+/g, "-")}-${number}`;

export const shortRepo = (repo: string): string => repo.split("/")[1] ?? repo;

export type ReasonPart = { text: string } | { text: string; ref: { repo: string; number: number } };

const REF = /([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)#(\d+)|#(\d+)/g;

/** Splits a reason into text and item references; a bare `#N` is an item of `repo`. */
export function splitReason(reason: string, repo: string): ReasonPart[] {
  const parts: ReasonPart[] = [];
  let last = 0;
  for (const match of reason.matchAll(REF)) {
    const at = match.index;
    if (at > last) parts.push({ text: reason.slice(last, at) });
    const ref =
      match[1] !== undefined
        ? { repo: match[1], number: Number(match[2]) }
        : { repo, number: Number(match[3]) };
    parts.push({ text: match[0], ref });
    last = at + match[0].length;
  }
  if (last < reason.length) parts.push({ text: reason.slice(last) });
  return parts;
}
