/**
 * Shared set-up of the end-to-end tests: a real git origin and clone, an agent token, and the
 * Worker's view of one repo, all against a running local mode (scripts/dev.ts).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { LOCAL_SECRETS, type LocalMode } from "../../scripts/dev.ts";

const exec = promisify(execFile);

export async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await exec("git", args, { cwd })).stdout.trim();
}

/** A bare `origin.git` and a `clone` of it under `dir`, with one pushed commit on main. */
export async function makeRepo(dir: string): Promise<{ origin: string; clone: string }> {
  const origin = join(dir, "origin.git");
  const clone = join(dir, "clone");
  await exec("git", ["init", "-q", "--bare", "-b", "main", origin]);
  await exec("git", ["clone", "-q", origin, clone]);
  await git(clone, "config", "user.name", "Demo Dev");
  await git(clone, "config", "user.email", "dev@example.com");
  await git(clone, "commit", "-q", "--allow-empty", "-m", "chore: initial commit");
  await git(clone, "push", "-q", "-u", "origin", "main");
  return { origin, clone };
}

export async function agentToken(mode: LocalMode, repo: string): Promise<string> {
  const response = await fetch(`${mode.workerUrl}/api/agents/token`, {
    method: "POST",
    headers: { authorization: `Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ repo }),
  });
  return ((await response.json()) as { token: string }).token;
}

export interface RunView {
  runId: string;
  number: number;
  fence: number;
  attempt: number;
  state: string;
  outcome: string | null;
  reason: string | null;
  startedAt: number;
  finishedAt: number | null;
}

export interface RepoView {
  name: string;
  items: { number: number; verdict: string; reason: string; state: string }[];
  runs: RunView[];
  agents: { agentId: string }[];
  agenda: { key: string; kind: string; due: number }[];
  alarm: number | null;
}

/** One repo's part of `/api/state`. */
export async function repoState(mode: LocalMode, repo: string): Promise<RepoView> {
  const response = await fetch(`${mode.workerUrl}/api/state`, {
    headers: { authorization: `Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}` },
  });
  const body = (await response.json()) as { repos: RepoView[] };
  const found = body.repos.find((r) => r.name === repo);
  if (!found) throw new Error(`no ${repo} in /api/state`);
  return found;
}

/** Edits a board field on the emulator as a person would (it sends the webhook). */
export async function setBoardField(
  mode: LocalMode,
  item: string,
  field: string,
  value: string | null,
): Promise<void> {
  const response = await fetch(`${mode.emulatorUrl}/_emulator/field-value`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ item, field, value }),
  });
  if (response.status !== 200) throw new Error(`editing ${field} of ${item} answered ${response.status}`);
}

/** Closes an issue on the emulator as a person would (it sends the `issues.closed` webhook). */
export async function closeIssue(mode: LocalMode, issue: string, reason = "COMPLETED"): Promise<void> {
  const response = await fetch(`${mode.emulatorUrl}/_emulator/issues/close`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ issue, reason }),
  });
  if (response.status !== 200) throw new Error(`closing ${issue} answered ${response.status}`);
}

interface EmulatorState {
  issues: { id: string; repo: string; number: number }[];
  projects: { fields: { id: string; name: string; options: { id: string; name: string }[] }[] }[];
  items: { content: { id: string } | null; values: Record<string, { value: Record<string, unknown> }> }[];
}

/** A board field of an item as the emulator holds it now (single-select option name or text), or null. */
export async function boardField(mode: LocalMode, item: string, field: string): Promise<string | null> {
  const [repo, number] = item.split("#");
  const state = (await (await fetch(`${mode.emulatorUrl}/_emulator/state`)).json()) as EmulatorState;
  const issue = state.issues.find(
    (candidate) => candidate.repo === repo && candidate.number === Number(number),
  );
  const row = state.items.find((candidate) => candidate.content?.id === issue?.id);
  const definition = state.projects[0]?.fields.find((candidate) => candidate.name === field);
  if (!issue || !row || !definition) throw new Error(`no field ${field} of ${item} on the emulator's board`);
  const value = row.values[definition.id]?.value;
  if (value === undefined) return null;
  if (typeof value.optionId === "string") {
    return definition.options.find((option) => option.id === value.optionId)?.name ?? null;
  }
  return typeof value.text === "string" ? value.text : null;
}

export interface WfResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `wf` (the package's bin) against local mode with the environment the README tells a
 * person to set; no settings file of the machine's user is read (`XDG_CONFIG_HOME` is `home`).
 */
export function wfIn(mode: LocalMode, home: string, ...args: string[]): Promise<WfResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["operator/wf.mjs", ...args],
      {
        env: {
          ...process.env,
          WORKER_FACTORY_URL: mode.workerUrl,
          WORKER_FACTORY_ADMIN_TOKEN: LOCAL_SECRETS.ADMIN_TOKEN,
          XDG_CONFIG_HOME: home,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : Number(error.code ?? -1),
          stdout: stdout.trim(),
          stderr: stderr.trim(),
        }),
    );
  });
}

/** A POST to the emulator's admin API (`/_emulator/<path>`), as a person or GitHub would act. */
export async function emulatorPost(mode: LocalMode, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${mode.emulatorUrl}/_emulator/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status >= 300)
    throw new Error(`emulator ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}
