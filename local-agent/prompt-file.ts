/**
 * The run-scoped prompt file (`<runFolder>/<runId>/prompt.md`): a minimal task description built
 * from the dispatch arguments plus the seed's branch/PR duties. Steering context and checkpoint
 * notes are appended to it. Written by daemon.ts; read by the CLI agent.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import type { DispatchArgs } from "../worker/protocol/messages.ts";

export interface PromptContext {
  runId: string;
  branch: string;
  worktree: string;
}

const list = (items: readonly string[], empty: string): string =>
  items.length === 0 ? `- ${empty}` : items.map((item) => `- ${item}`).join("\n");

export function renderPrompt(args: DispatchArgs, context: PromptContext): string {
  const scope =
    args.lockScope === "area"
      ? `the whole area \`${args.area}\``
      : `only these files in area \`${args.area}\`: ${args.neededFiles.map((f) => `\`${f}\``).join(", ") || "(none listed)"}`;
  const sections = [
    `# Task: ${args.repo}#${args.issueNumber} — ${args.title}`,
    "",
    `You are a CLI coding agent dispatched by Worker Factory (run \`${context.runId}\`, attempt ${args.attempt}).`,
    "Do the work described below in this git worktree, then stop.",
    "",
    "## Assignment",
    `- Issue: ${args.repo}#${args.issueNumber} — ${args.url}`,
    `- Repository: ${args.repo}`,
    `- Area: ${args.area} (risk: ${args.risk})`,
    `- Lock scope: ${args.lockScope}; lock key(s): ${args.lockKeys.map((k) => `\`${k}\``).join(", ") || "(none)"}`,
    `- Worktree: ${context.worktree}`,
    `- Branch: \`${context.branch}\` (already created from \`origin/${args.baseBranch}\` and checked out)`,
    "",
    "## Needed files",
    list(args.neededFiles, "none listed; stay inside the area"),
    "",
    "## Depends on (already complete)",
    list(args.dependsOn, "nothing"),
    "",
    "## Acceptance checks",
    list(args.acceptance, "none given; make the change the issue asks for and keep existing tests passing"),
    "",
    "## Links",
    list([args.url, ...args.links], "none"),
  ];
  if (args.body.trim() !== "") sections.push("", "## Issue description", "", args.body.trim());
  sections.push(
    "",
    "## Your duties (branch and PR hygiene)",
    `1. Work only on branch \`${context.branch}\`; do not switch branches or touch \`${args.baseBranch}\`.`,
    "2. Commit often: small atomic commits with conventional messages (`feat:`, `fix:`, `test:`, `docs:`, `chore:`).",
    `3. Push the branch to origin (\`git push -u origin ${context.branch}\`); do not leave work only on the local branch.`,
    `4. When the work is complete, open a pull request into \`${args.baseBranch}\` whose description has: Summary, Changes, Testing, and Related issues (\`Closes #${args.issueNumber}\`). Print the PR URL.`,
    `5. Do not touch files outside the lock scope (${scope}). If the task needs files outside it, ask first with \`wf-scope request <path>... --reason "why"\` (on your PATH): edit them only once it prints "Scope granted"; if it is refused, stop at once (the run is stopped and requeued); without a verdict, stop and report which files and why instead of editing them.`,
    "6. Leave the worktree clean: commit or discard everything before you finish.",
    "7. Finish with a short report: what you changed, how you tested it, what is left.",
  );
  for (const text of args.context) sections.push("", "## Additional context", "", text.trim());
  return `${sections.join("\n")}\n`;
}

// Synchronous on purpose: a steering append can never interleave with the first write.
export function writePromptFile(file: string, args: DispatchArgs, context: PromptContext): string {
  const text = renderPrompt(args, context);
  writeFileSync(file, text, "utf8");
  return text;
}

/** Appends a steering `append_context` text. */
export function appendContext(file: string, text: string, reason: string): void {
  appendFileSync(file, `\n## Additional context (${reason || "steering"})\n\n${text.trim()}\n`, "utf8");
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
    `Your previous session in this worktree was stopped at a checkpoint. Reason: ${note.reason || "(none given)"}.`,
    note.commits.length === 0
      ? "No commits were made on the branch yet."
      : `Commits already on the branch: ${note.commits.map((sha) => sha.slice(0, 12)).join(", ")}. Build on them; do not redo them.`,
    note.dirty
      ? "The worktree holds uncommitted changes from that session: review them, then commit or discard them."
      : "The worktree is clean.",
  ];
  if (note.text.trim() !== "") lines.push("", "Updated plan / new information:", "", note.text.trim());
  lines.push("", "Continue the task from here with this updated plan.");
  appendFileSync(file, `${lines.join("\n")}\n`, "utf8");
}
