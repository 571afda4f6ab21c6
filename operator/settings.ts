/**
 * Where `wf` finds the Worker and its admin token: flags (`--url`, `--token`), then the
 * environment (`WORKER_FACTORY_URL`, `WORKER_FACTORY_ADMIN_TOKEN`), then a JSON file
 * (`--config`, `WORKER_FACTORY_CONFIG`, or ~/.config/worker-factory/wf.json), which may also
 * name the person `wf claim` claims for (`owner`). Validated with zod; a problem names the key
 * and where it came from. Used by cli.ts and claim-owner.ts.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { z } from "zod";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

const SettingsFile = z
  .object({
    $schema: z.string().optional(),
    url: z.string().optional(),
    token: z.string().optional(),
    /** Who `wf claim` claims for, when `--as` does not say. */
    owner: z.string().optional(),
  })
  .strict();

const Url = z
  .url({ protocol: /^https?$/, error: "expected the Worker's http(s) URL" })
  .transform((url) => url.replace(/\/+$/, ""));

export interface Settings {
  url: string;
  token: string;
}

export function defaultSettingsFile(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), ".config");
  return path.join(base, "worker-factory", "wf.json");
}

function readSettingsFile(file: string, required: boolean): z.infer<typeof SettingsFile> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new UsageError(`cannot read the settings file ${file}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON (${(error as Error).message})`);
  }
  const parsed = SettingsFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join(".") || "(file)";
    const message =
      issue?.code === "unrecognized_keys" ? `unknown key(s) ${issue.keys.join(", ")}` : issue?.message;
    throw new UsageError(
      `${file}: ${key}: ${message}; expected {"url": "...", "token": "...", "owner"?: "..."}`,
    );
  }
  return parsed.data;
}

/** The settings file's values (`--config`, `WORKER_FACTORY_CONFIG`, or the default, if any). */
export function settingsFileValues(
  flags: { config?: string | undefined },
  env: NodeJS.ProcessEnv,
): z.infer<typeof SettingsFile> & { file: string } {
  const explicitFile = flags.config ?? env.WORKER_FACTORY_CONFIG;
  const file = explicitFile ?? defaultSettingsFile(env);
  return { ...readSettingsFile(file, explicitFile !== undefined), file };
}

export function resolveSettings(
  flags: { url?: string | undefined; token?: string | undefined; config?: string | undefined },
  env: NodeJS.ProcessEnv,
): Settings {
  const { file, ...fromFile } = settingsFileValues(flags, env);
  const pick = (...values: (string | undefined)[]): string | undefined =>
    values.find((value) => value !== undefined && value.trim() !== "");
  const url = pick(flags.url, env.WORKER_FACTORY_URL, fromFile.url);
  const token = pick(flags.token, env.WORKER_FACTORY_ADMIN_TOKEN, fromFile.token);
  if (url === undefined) {
    throw new UsageError(`no Worker URL: pass --url, set WORKER_FACTORY_URL, or put "url" in ${file}`);
  }
  if (token === undefined) {
    throw new UsageError(
      `no admin token: pass --token, set WORKER_FACTORY_ADMIN_TOKEN, or put "token" in ${file}`,
    );
  }
  const parsed = Url.safeParse(url);
  if (!parsed.success) throw new UsageError(`Worker URL "${url}": ${parsed.error.issues[0]?.message}`);
  return { url: parsed.data, token };
}
