/**
 * GitHub's closing keywords in a pull request's body (close/closes/closed, fix/fixes/fixed,
 * resolve/resolves/resolved, an optional colon, then `#12`, `owner/repo#12` or an issue URL):
 * which issues a PR says it closes. Pure; the cloud path links Copilot's PR to its issue by it.
 */
import type { IssueRef } from "./board-item.ts";

const KEYWORD = String.raw`\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+`;
const SHORT = String.raw`(?:([\w.-]+)\/([\w.-]+))?#(\d+)\b`;
const URL = String.raw`https?:\/\/[\w.-]+\/([\w.-]+)\/([\w.-]+)\/issues\/(\d+)\b`;
const PATTERN = new RegExp(`${KEYWORD}(?:${URL}|${SHORT})`, "gi");

/** The issues `body` closes, in order of mention, each once; `repo` resolves a bare `#12`. */
export function closingReferences(body: string, repo: string): IssueRef[] {
  const found: IssueRef[] = [];
  for (const match of body.matchAll(PATTERN)) {
    const [, urlOwner, urlName, urlNumber, owner, name, number] = match;
    const ref =
      urlNumber !== undefined
        ? { repo: `${urlOwner}/${urlName}`, number: Number(urlNumber) }
        : {
            repo: owner !== undefined && name !== undefined ? `${owner}/${name}` : repo,
            number: Number(number),
          };
    const seen = found.some(
      (f) => f.repo.toLowerCase() === ref.repo.toLowerCase() && f.number === ref.number,
    );
    if (!seen && ref.number > 0) found.push(ref);
  }
  return found;
}
