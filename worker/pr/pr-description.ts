/**
 * A run's pull request as people read it (seed: "Fill in PR description — summary, changes,
 * testing, related issues"): the issue's title, then Summary (the agent's report, else its
 * commits), Changes (files and diffstat), Testing (what the agent says it ran), Related issues
 * with the closing keyword, and the run with its review tier. Pure; open-pull-request.ts uses it.
 */
import type { RiskLevel } from "../config/workspace-config.ts";
import type { RunWork } from "../protocol/messages.ts";

/** GitHub refuses a body over 65,536 characters. */
const MAX_BODY = 65_000;
const MAX_FILES_LISTED = 50;

export interface DescriptionInput {
  repo: string;
  issue: { number: number; title: string };
  base: string;
  work: RunWork;
  run: { runId: string; attempt: number };
  tier: RiskLevel;
  tierWhy: string;
  qa: "required" | "skipped";
}

const count = (value: number | null): string => (value === null ? "binary" : String(value));

export function pullRequestTitle(issue: { title: string }): string {
  return issue.title.replace(/\s+/g, " ").trim().slice(0, 256) || "Worker Factory run";
}

export function pullRequestBody(input: DescriptionInput): string {
  const { work } = input;
  const summary =
    work.summary.trim() ||
    (work.subjects.length > 0
      ? work.subjects.map((subject) => `- ${subject}`).join("\n")
      : "The agent left no summary.");
  const files = work.files
    .slice(0, MAX_FILES_LISTED)
    .map(
      (file) => `- \`${file.path.replace(/`/g, "'")}\` (+${count(file.additions)} −${count(file.deletions)})`,
    );
  const more = work.filesChanged - files.length;
  const testing =
    work.testing.length > 0
      ? work.testing.map((line) => `- ${line}`).join("\n")
      : "- The agent reported no tests run.";
  const landing =
    input.tier === "low"
      ? "merges itself once its checks pass (auto-merge)"
      : input.tier === "medium"
        ? "waits for a person's merge"
        : "waits for a person's full review and merge";
  const sections = [
    "## Summary",
    "",
    summary,
    "",
    "## Changes",
    "",
    ...(files.length > 0 ? files : ["- (no file changes reported)"]),
    ...(more > 0 ? [`- …and ${more} more`] : []),
    "",
    `${work.filesChanged} file(s) changed, +${work.additions} −${work.deletions}; ${work.subjects.length} commit(s).`,
    "",
    "## Testing",
    "",
    testing,
    "",
    "## Related issues",
    "",
    `Closes ${input.repo}#${input.issue.number}`,
    "",
    "## Run",
    "",
    `Opened by Worker Factory for run \`${input.run.runId}\` (attempt ${input.run.attempt}) into \`${input.base}\`.`,
    `Review tier: **${input.tier}** (${input.tierWhy}); ${input.qa === "required" ? "a person's QA comes first, then it " : "it "}${landing}.`,
  ];
  const body = sections.join("\n");
  return body.length <= MAX_BODY ? body : `${body.slice(0, MAX_BODY)}\n\n… (cut)`;
}

/** Whether GitHub will close the issue itself when this PR merges: a closing keyword, into the default branch. */
export function closesOnMerge(body: string, base: string, defaultBranch: string, issue: string): boolean {
  if (base !== defaultBranch) return false;
  const [repo = "", number = ""] = issue.split("#");
  const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const keyword = "(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)";
  const target = `(?:${escaped(repo)})?#${escaped(number)}(?![0-9])`;
  const url = `https://github\\.com/${escaped(repo)}/issues/${escaped(number)}(?![0-9])`;
  return new RegExp(`\\b${keyword}:?\\s+(?:${target}|${url})`, "i").test(body);
}
