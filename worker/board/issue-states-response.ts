/**
 * Reads the answer to `issueStatesQuery` (aliased `r<n>: repository { i<number>: issue }`)
 * into IssueStates. Unknown repos and issues come back null (GitHub adds NOT_FOUND errors)
 * and are left out, so the gate counts them as not complete. Pure; used by the board client.
 */
import { z } from "zod";
import type { IssueState } from "./board-item.ts";

const StatusValue = z.object({ name: z.string().optional(), text: z.string().optional() }).nullish();
const IssueStateNode = z.object({
  number: z.number().int(),
  state: z.enum(["OPEN", "CLOSED"]),
  stateReason: z.string().nullish(),
  projectItems: z
    .object({
      nodes: z.array(z.object({ project: z.object({ id: z.string() }), status: StatusValue }).nullable()),
    })
    .nullish(),
});

export const IssueStatesResponse = z.record(z.string(), z.unknown());
const RepoNode = z.record(z.string(), z.unknown()).nullish();

/** `repos[n]` is the repo queried under alias `r<n>`. */
export function toIssueStates(
  response: z.infer<typeof IssueStatesResponse>,
  repos: readonly string[],
  projectId: string,
): IssueState[] {
  const states: IssueState[] = [];
  repos.forEach((repo, index) => {
    const parsed = RepoNode.safeParse(response[`r${index}`]);
    const issues = parsed.success ? (parsed.data ?? {}) : {};
    for (const [alias, value] of Object.entries(issues)) {
      if (!/^i\d+$/.test(alias)) continue;
      const issue = IssueStateNode.safeParse(value);
      if (issue.success) {
        const { number, state, stateReason, projectItems } = issue.data;
        const onProject = projectItems?.nodes.find((node) => node?.project.id === projectId);
        const boardStatus = onProject?.status?.name ?? onProject?.status?.text ?? null;
        states.push({ repo, number, state, stateReason: stateReason ?? null, boardStatus });
      }
    }
  });
  return states;
}
