/**
 * Runs git against one bare repository, synchronously (the store's writes are synchronous and
 * these repos are small): fixed identity and no user config, so results do not depend on the
 * machine. Throws `GitCommandError` with git's stderr. Used by bare-repo.ts.
 */
import { execFileSync, spawnSync } from "node:child_process";

export class GitCommandError extends Error {
  readonly args: readonly string[];
  readonly stderr: string;
  readonly status: number | null;
  constructor(args: readonly string[], status: number | null, stderr: string) {
    super(`git ${args.join(" ")} failed (${status ?? "signal"}): ${stderr.trim()}`);
    this.name = "GitCommandError";
    this.args = args;
    this.status = status;
    this.stderr = stderr;
  }
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Run inside a linked worktree (`cwd`) instead of against the bare repository. */
  inWorktree?: boolean;
}

export interface GitRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

const baseEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  LC_ALL: "C",
});

export class GitCommand {
  readonly gitDir: string;
  constructor(gitDir: string) {
    this.gitDir = gitDir;
  }

  /** Runs git; any exit status is returned, not thrown. */
  run(args: readonly string[], options: RunOptions = {}): GitRun {
    const target = options.inWorktree === true ? [] : ["--git-dir", this.gitDir];
    const result = spawnSync("git", [...target, ...args], {
      input: options.input,
      env: { ...baseEnv(), ...options.env },
      cwd: options.cwd,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs git and returns stdout; a non-zero exit throws. */
  out(args: readonly string[], options: RunOptions = {}): string {
    const result = this.run(args, options);
    if (result.status !== 0) throw new GitCommandError(args, result.status, result.stderr);
    return result.stdout;
  }
}

/** `git init --bare` with the given initial branch. */
export function initBare(dir: string, defaultBranch: string): void {
  execFileSync("git", ["init", "--quiet", "--bare", `--initial-branch=${defaultBranch}`, dir], {
    env: baseEnv(),
  });
}
