/**
 * Who `wf claim`, `wf renew` and `wf unclaim` act for: `--as NAME`, else `owner` in the wf
 * settings file, else `git config user.name` where wf runs. The name goes into the board's
 * Claim Owner. Used by claim-commands.ts.
 */
import { execFileSync } from "node:child_process";
import { settingsFileValues, UsageError } from "./settings.ts";

/** `git config user.name` in the working directory, or null when git or the name is missing. */
export function gitUserName(cwd: string = process.cwd()): string | null {
  try {
    const name = execFileSync("git", ["config", "user.name"], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 5_000,
    }).trim();
    return name === "" ? null : name;
  } catch {
    return null;
  }
}

export function claimOwner(
  flags: { as?: string | undefined; config?: string | undefined },
  env: NodeJS.ProcessEnv,
  fromGit: () => string | null = gitUserName,
): string {
  const given = flags.as?.trim();
  if (given) return given;
  const { owner, file } = settingsFileValues(flags, env);
  if (owner !== undefined && owner.trim() !== "") return owner.trim();
  const git = fromGit();
  if (git !== null) return git;
  throw new UsageError(
    `who is claiming? pass --as NAME, put "owner" in ${file}, or set git config user.name`,
  );
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A lease length: `90m`, `8h`, `2d`, or seconds. */
export function leaseSeconds(text: string): number {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(text);
  if (match === null) throw new UsageError(`--lease "${text}": expected a length like 90m, 8h or 2d`);
  const seconds = Number(match[1]) * (UNITS[(match[2] || "s").toLowerCase()] ?? 1);
  if (seconds < 60 || seconds > 30 * 86400)
    throw new UsageError(`--lease "${text}": between 1 minute and 30 days`);
  return seconds;
}
