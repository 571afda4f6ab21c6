/**
 * A thin git runner on execa (no shell, no prompts) shared by prepare-worktree.ts and report.ts.
 * Expected failures come back as results, not exceptions.
 */
import { execa } from "execa";

export type GitResult = { ok: true; stdout: string } | { ok: false; stderr: string; exitCode: number | null };

export async function git(cwd: string, args: readonly string[], timeoutMs = 120_000): Promise<GitResult> {
  const result = await execa("git", args, {
    cwd,
    reject: false,
    stdin: "ignore",
    timeout: timeoutMs,
    env: { GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
  });
  if (!result.failed) return { ok: true, stdout: result.stdout };
  const stderr = (result.stderr || result.shortMessage || "").trim();
  return {
    ok: false,
    stderr: stderr.split("\n").slice(-3).join(" ").slice(0, 500),
    exitCode: result.exitCode ?? null,
  };
}

export async function gitLines(cwd: string, args: readonly string[]): Promise<string[] | null> {
  const result = await git(cwd, args);
  if (!result.ok) return null;
  return result.stdout.split("\n").filter((line) => line.trim() !== "");
}
