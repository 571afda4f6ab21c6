/**
 * How each CLI agent is invoked one-shot (flags as in shared/reference/agent-clis.md; the live
 * channels' command lines are in channels/) and the environment a run gets: an empty HOME, a
 * per-tool config home, telemetry and update checks off, model-endpoint variables passed
 * through. Used by channels/start-session.ts.
 */
import { cpSync, mkdirSync } from "node:fs";
import path from "node:path";
import { carryLogin } from "./agent-credentials.ts";
import { REPORT_FILE } from "./agent-report.ts";
import type { AgentKind } from "./config.ts";

export const TEMPLATE_PLACEHOLDERS = ["promptFile", "worktree", "branch", "runId", "issue"] as const;
export type TemplateValues = Record<(typeof TEMPLATE_PLACEHOLDERS)[number], string>;

/** The env var that marks every process of a run, so the whole tree can be found and stopped. */
export const RUN_MARKER_VAR = "WORKER_FACTORY_RUN_ID";

/** Agents take the prompt text as one argument; past this size they are told to read the file. */
const MAX_PROMPT_ARG = 100_000;

export interface AgentCommand {
  file: string;
  args: string[];
}

export interface CommandInput {
  kind: AgentKind;
  /** Template for `custom`. */
  template?: string | undefined;
  /** Executable for the built-in kinds. */
  bin?: string | undefined;
  extraArgs: readonly string[];
  promptText: string;
  lastMessageFile: string;
  values: TemplateValues;
}

export function buildAgentCommand(input: CommandInput): AgentCommand {
  const { values, extraArgs } = input;
  const prompt =
    input.promptText.length <= MAX_PROMPT_ARG
      ? input.promptText
      : `Your task is described in the file ${values.promptFile}. Read it first and follow it.`;
  switch (input.kind) {
    case "codex":
      return {
        file: input.bin ?? "codex",
        args: [
          "exec",
          "--json",
          "--ephemeral",
          "-C",
          values.worktree,
          "--dangerously-bypass-approvals-and-sandbox",
          "--disable",
          "plugins",
          "--disable",
          "unbounded_connection_retries",
          "-c",
          "analytics.enabled=false",
          "-o",
          input.lastMessageFile,
          ...extraArgs,
          prompt,
        ],
      };
    case "claude":
      return {
        file: input.bin ?? "claude",
        args: [
          "-p",
          prompt,
          "--output-format",
          "stream-json",
          "--verbose",
          "--permission-mode",
          "bypassPermissions",
          "--no-session-persistence",
          ...extraArgs,
        ],
      };
    case "copilot":
      return {
        file: input.bin ?? "copilot",
        args: [
          "-C",
          values.worktree,
          "-p",
          prompt,
          "--allow-all-tools",
          "--no-ask-user",
          "--no-auto-update",
          "--disable-client-telemetry",
          "--output-format",
          "json",
          ...extraArgs,
        ],
      };
    case "custom": {
      if (input.template === undefined) throw new Error("custom agent needs a command template");
      const argv = splitCommand(input.template).map((word) => substitute(word, values));
      const [file, ...args] = argv;
      if (file === undefined) throw new Error("custom agent command template is empty");
      return { file, args: [...args, ...extraArgs] };
    }
  }
}

/** Splits a command line into words like a shell would (quotes, backslashes) but runs no shell. */
export function splitCommand(template: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < template.length; i++) {
    const char = template.charAt(i);
    if (quote !== null) {
      if (char === quote) quote = null;
      else if (char === "\\" && quote === '"' && i + 1 < template.length) current += template.charAt(++i);
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === "\\" && i + 1 < template.length) {
      current += template.charAt(++i);
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote !== null) throw new Error(`unterminated ${quote} quote in command template`);
  if (inWord) words.push(current);
  return words;
}

export function substitute(word: string, values: TemplateValues): string {
  return word.replace(/\{([A-Za-z]+)\}/g, (match, name: string) =>
    Object.hasOwn(values, name) ? String(values[name as keyof TemplateValues]) : match,
  );
}

/** Placeholders in a template that the daemon does not know. */
export function unknownPlaceholders(template: string): string[] {
  const known = new Set<string>(TEMPLATE_PLACEHOLDERS);
  return [...template.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1] ?? "").filter((name) => !known.has(name));
}

const PASS_THROUGH_NAMES = new Set([
  "PATH",
  "LANG",
  "LANGUAGE",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "USER",
  "LOGNAME",
  "SHELL",
  "TMPDIR",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "NODE_EXTRA_CA_CERTS",
  "SSH_AUTH_SOCK",
  "GH_TOKEN",
  "GH_HOST",
  "GITHUB_TOKEN",
  "GITHUB_API_URL",
  "COPILOT_GITHUB_TOKEN",
  "COPILOT_MODEL",
]);
const PASS_THROUGH_PREFIXES = ["OPENAI_", "ANTHROPIC_", "COPILOT_PROVIDER_"];

export interface EnvInput {
  kind: AgentKind;
  runId: string;
  /** `<runFolder>/<runId>`; HOME and tool homes are made inside it. */
  runDir: string;
  parentEnv: NodeJS.ProcessEnv;
  extraEnv: Readonly<Record<string, string>>;
  values: TemplateValues;
  /** Git identity copied from the clone, since the run's HOME has no ~/.gitconfig. */
  gitIdentity: { name: string | null; email: string | null };
  homeTemplate?: string | undefined;
  isRoot: boolean;
}

/** Makes the run's HOME and tool home on disk and returns the full environment (no inheritance). */
export function prepareAgentEnv(input: EnvInput): Record<string, string> {
  const home = path.join(input.runDir, "home");
  mkdirSync(home, { recursive: true });
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.parentEnv)) {
    if (value === undefined) continue;
    if (PASS_THROUGH_NAMES.has(name) || PASS_THROUGH_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      env[name] = value;
    }
  }
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    XDG_DATA_HOME: path.join(home, ".local", "share"),
    XDG_STATE_HOME: path.join(home, ".local", "state"),
    GIT_TERMINAL_PROMPT: "0",
    NO_UPDATE_NOTIFIER: "1",
    [RUN_MARKER_VAR]: input.runId,
    WORKER_FACTORY_PROMPT_FILE: input.values.promptFile,
    WORKER_FACTORY_WORKTREE: input.values.worktree,
    WORKER_FACTORY_BRANCH: input.values.branch,
    WORKER_FACTORY_ISSUE: input.values.issue,
    // Where the agent may leave its report (summary, testing) for the pull request's description.
    WORKER_FACTORY_REPORT_FILE: path.join(input.runDir, REPORT_FILE),
  });
  if (input.gitIdentity.name !== null) {
    env.GIT_AUTHOR_NAME = input.gitIdentity.name;
    env.GIT_COMMITTER_NAME = input.gitIdentity.name;
  }
  if (input.gitIdentity.email !== null) {
    env.GIT_AUTHOR_EMAIL = input.gitIdentity.email;
    env.GIT_COMMITTER_EMAIL = input.gitIdentity.email;
  }
  const toolHome = (name: string): string => {
    const dir = path.join(input.runDir, name);
    mkdirSync(dir, { recursive: true });
    if (input.homeTemplate !== undefined) cpSync(input.homeTemplate, dir, { recursive: true });
    // The run's HOME is empty: the user's own login must be carried in (agent-credentials.ts).
    carryLogin(input.kind, input.parentEnv, dir);
    return dir;
  };
  switch (input.kind) {
    case "codex":
      env.CODEX_HOME = toolHome("codex-home");
      break;
    case "claude":
      env.CLAUDE_CONFIG_DIR = toolHome("claude-config");
      env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = "1";
      env.DISABLE_TELEMETRY = "1";
      env.DISABLE_ERROR_REPORTING = "1";
      env.DISABLE_AUTOUPDATER = "1";
      if (input.isRoot) env.IS_SANDBOX = "1";
      break;
    case "copilot":
      env.COPILOT_HOME = toolHome("copilot-home");
      // With a bring-your-own provider there is no GitHub auth to reach, so stop all other traffic.
      if (env.COPILOT_PROVIDER_BASE_URL !== undefined) env.COPILOT_OFFLINE = "true";
      break;
    case "custom":
      if (input.homeTemplate !== undefined) cpSync(input.homeTemplate, home, { recursive: true });
      break;
  }
  Object.assign(env, input.extraEnv);
  return env;
}
