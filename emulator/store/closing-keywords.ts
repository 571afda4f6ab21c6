/**
 * GitHub's closing keywords in a pull request's body: close/closes/closed, fix/fixes/fixed,
 * resolve/resolves/resolved (any case, an optional colon), then `#12`, `owner/repo#12` or an
 * issue URL. GitHub honours them only when the PR's base is the default branch. Used by the
 * pull request store for `closingIssuesReferences` and the merge.
 */

export interface IssueReference {
  /** `owner/name` of the issue's repository. */
  repo: string;
  number: number;
}

const KEYWORD = String.raw`\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+`;
const SHORT = String.raw`(?:([\w.-]+)\/([\w.-]+))?#(\d+)\b`;
const URL = String.raw`https?:\/\/github\.com\/([\w.-]+)\/([\w.-]+)\/issues\/(\d+)\b`;
const PATTERN = new RegExp(`${KEYWORD}(?:${URL}|${SHORT})`, "gi");

/** The issues `body` closes, in order of mention, each once. `repo` resolves `#12`. */
export function closingReferences(body: string, repo: string): IssueReference[] {
  const found: IssueReference[] = [];
  for (const match of body.matchAll(PATTERN)) {
    const [, urlOwner, urlName, urlNumber, owner, name, number] = match;
    const ref =
      urlNumber !== undefined
        ? { repo: `${urlOwner}/${urlName}`, number: Number(urlNumber) }
        : {
            repo: owner !== undefined && name !== undefined ? `${owner}/${name}` : repo,
            number: Number(number),
          };
    if (!found.some((f) => f.repo.toLowerCase() === ref.repo.toLowerCase() && f.number === ref.number))
      found.push(ref);
  }
  return found;
}
