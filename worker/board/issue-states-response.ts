/**
 * Reads the answer to `issueStatesQuery` (aliased `r<n>: repository { i<number>: issue }`)
 * into IssueStates. Unknown repos and issues come back null (GitHub adds NOT_FOUND errors)
 * and are left out, so the gate counts them as not complete. Pure; used by the board client.
 */
import { z } from "zod";
import type { IssueState } from "./board-item.ts";

const IssueStateNode = z.object({
  number: z.number().int(),
  state: z.enum(["OPEN", "CLOSED"]),
  stateReason: z.string().nullish(),
});

export const IssueStatesResponse = z.record(z.string(), z.unknown());
const RepoNode = z.record(z.string(), z.unknown()).nullish();

/** `repos[n]` is the repo queried under alias `r<n>`. */
export function toIssueStates(
  response: z.infer<typeof IssueStatesResponse>,
  repos: readonly string[],
): IssueState[] {
  const states: IssueState[] = [];
  repos.forEach((repo, index) => {
    const parsed = RepoNode.safeParse(response[`r${index}`]);
    const issues = parsed.success ? (parsed.data ?? {}) : {};
    for (const [alias, value] of Object.entries(issues)) {
      if (!/^i\d+$/.test(alias)) continue;
      const issue = IssueStateNode.safeParse(value);
      if (issue.success) {
        const { number, state, stateReason } = issue.data;
        states.push({ repo, number, state, stateReason: stateReason ?? null });
      }
    }
  });
  return states;
}
