/**
 * The run-scoped prompt file (`<runFolder>/<runId>/prompt.md`): the task and the seed's
 * branch/PR duties first, each heading once, then the issue's own text (title, description,
 * acceptance checks, notes) quoted as data in fences it cannot close (see prompt-text.ts).
 * Steering context and checkpoint notes are appended the same way. Written by run-lifecycle.ts;
 * read by the CLI agent.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import type { DispatchArgs } from "../worker/protocol/messages.ts";
import type { Resumed } from "./prepare-worktree.ts";
import { DATA_NOTICE, fencedBlock, flattenLine, inlineCode } from "./prompt-text.ts";

export interface PromptContext {
  runId: string;
  branch: string;
  worktree: string;
  /** Set when the run continues in the worktree an interrupted attempt left. */
  resumed?: Resumed | null;
}

const list = (items: readonly string[], empty: string): string =>
  items.length === 0 ? `- ${empty}` : items.map((item) => `- ${flattenLine(item, 1000)}`).join("\n");

const codes = (items: readonly string[]): string => items.map(inlineCode).join(", ");

function resumedSection(resumed: Resumed): string[] {
  return [
    "",
    "## Continuing an interrupted attempt",
    "An earlier attempt at this issue was interrupted (its daemon stopped) and you are working in the worktree it left.",
    resumed.commits === 0
      ? "It made no commits on the branch yet."
      : `It left ${resumed.commits} commit(s) on the branch: build on them; do not redo them.`,
    resumed.dirty
      ? "It also left uncommitted changes: review them (`git status`, `git diff`), keep what is right, and commit it; they may be half-done."
      : "It left no uncommitted changes.",
  ];
}

function reworkSection(pr: { number: number; url: string }): string[] {
  return [
    "",
    "## Reworking an open pull request",
    `This issue's pull request #${pr.number} (${flattenLine(pr.url, 1000)}) is open and was sent back: the reason is quoted under "Additional context" at the end. Fix it with new commits on this branch; do not start over, rewrite its history or open another pull request.`,
  ];
}

export function renderPrompt(args: DispatchArgs, context: PromptContext): string {
  const issue = `${flattenLine(args.repo)}#${args.issueNumber}`;
  const branch = inlineCode(context.branch);
  const base = inlineCode(args.baseBranch);
  const scope =
    args.lockScope === "area"
      ? `the whole area ${inlineCode(args.area)}`
      : `only these files in area ${inlineCode(args.area)}: ${codes(args.neededFiles) || "(none listed)"}`;
  const sections = [
    `# Task: ${issue}`,
    "",
    `You are a CLI coding agent dispatched by Worker Factory (run ${inlineCode(context.runId)}, attempt ${args.attempt}).`,
    `Do the work that issue ${issue} asks for in this git worktree, then stop. What it asks is quoted at the end of this file, under "The issue's text".`,
    "",
    "## Assignment",
    `- Issue: ${issue} — ${flattenLine(args.url, 1000)}`,
    `- Repository: ${flattenLine(args.repo)}`,
    `- Area: ${flattenLine(args.area)} (risk: ${args.risk})`,
    `- Lock scope: ${args.lockScope}; lock key(s): ${codes(args.lockKeys) || "(none)"}`,
    `- Worktree: ${flattenLine(context.worktree, 4096)}`,
    args.pullRequest === null
      ? `- Branch: ${branch} (already created from ${inlineCode(`origin/${args.baseBranch}`)} and checked out)`
      : `- Branch: ${branch} (checked out; it is the head of the open pull request #${args.pullRequest.number})`,
    ...(args.pullRequest === null ? [] : reworkSection(args.pullRequest)),
    ...(context.resumed ? resumedSection(context.resumed) : []),
    "",
    "## Needed files",
    list(args.neededFiles, "none listed; stay inside the area"),
    "",
    "## Depends on (already complete)",
    list(args.dependsOn, "nothing"),
    "",
    "## Acceptance checks",
    args.acceptance.length === 0
      ? "- none given; make the change the issue asks for and keep existing tests passing"
      : "- the task list of the issue's description, quoted under \"The issue's text\": every item must hold",
    "",
    "## Links",
    list([args.url, ...args.links], "none"),
    "",
    "## Your duties (branch and PR hygiene)",
    `1. Work only on branch ${branch}; do not switch branches or touch ${base}.`,
    "2. Commit often: small atomic commits with conventional messages (`feat:`, `fix:`, `test:`, `docs:`, `chore:`).",
    `3. Push the branch to origin (${inlineCode(`git push -u origin ${context.branch}`)}); do not leave work only on the local branch.`,
    `4. When you finish, Worker Factory opens the pull request from your pushed branch into ${base} (with \`Closes #${args.issueNumber}\`), its description made from your report; if you open one yourself for this branch, it is adopted, never duplicated.`,
    `5. Do not touch files outside the lock scope (${scope}). If the task needs files outside it, ask first with \`wf-scope request <path>... --reason "why"\` (on your PATH): edit them only once it prints "Scope granted"; if it is refused, stop at once (the run is stopped and requeued); without a verdict, stop and report which files and why instead of editing them.`,
    "6. Leave the worktree clean: commit or discard everything before you finish.",
    "7. Finish with a short report, as your last message and in the file `$WORKER_FACTORY_REPORT_FILE` when that variable is set: a `## Summary` of what you changed and why, then a `## Testing` list of the commands you ran to check it and their results.",
    "",
    "## The issue's text",
    "",
    DATA_NOTICE,
    "",
    "### Title",
    "",
    fencedBlock(flattenLine(args.title, 1000)),
  ];
  if (args.body.trim() !== "") sections.push("", "### Description", "", fencedBlock(args.body));
  if (args.acceptance.length > 0) {
    const checks = args.acceptance.map((check) => `- ${check}`).join("\n");
    sections.push("", "### Acceptance checks (the description's task list)", "", fencedBlock(checks));
  }
  for (const text of args.context) sections.push("", "### Additional context", "", fencedBlock(text));
  return `${sections.join("\n")}\n`;
}

// Synchronous on purpose: a steering append can never interleave with the first write.
export function writePromptFile(file: string, args: DispatchArgs, context: PromptContext): string {
  const text = renderPrompt(args, context);
  writeFileSync(file, text, "utf8");
  return text;
}

/** Appends a steering `append_context` text, quoted as data like the issue's. */
export function appendContext(file: string, text: string, reason: string): void {
  const heading = `### Additional context (${flattenLine(reason || "steering", 200)})`;
  appendFileSync(file, `\n${heading}\n\n${DATA_NOTICE}\n\n${fencedBlock(text)}\n`, "utf8");
}

/** Appends a note of Worker Factory's own (e.g. a widened scope): instructions, not quoted data. */
export function appendNote(file: string, heading: string, text: string): void {
  appendFileSync(file, `\n## ${flattenLine(heading, 200)}\n\n${text.trim()}\n`, "utf8");
}

/** Appends a checkpoint note before the agent is restarted in the same worktree. */
export function appendCheckpoint(
  file: string,
  note: { reason: string; text: string; commits: readonly string[]; dirty: boolean },
): void {
  const lines = [
    "",
    `## Checkpoint and replan (${new Date().toISOString()})`,
    "",
    `Your previous session in this worktree was stopped at a checkpoint. Reason: ${flattenLine(note.reason, 500) || "(none given)"}.`,
    note.commits.length === 0
      ? "No commits were made on the branch yet."
      : `Commits already on the branch: ${note.commits.map((sha) => sha.slice(0, 12)).join(", ")}. Build on them; do not redo them.`,
    note.dirty
      ? "The worktree holds uncommitted changes from that session: review them, then commit or discard them."
      : "The worktree is clean.",
  ];
  if (note.text.trim() !== "")
    lines.push("", "Updated plan / new information:", "", DATA_NOTICE, "", fencedBlock(note.text));
  lines.push("", "Continue the task from here with this updated plan.");
  appendFileSync(file, `${lines.join("\n")}\n`, "utf8");
}
