/**
 * Whether the agent's credentials will reach a run, and carrying a login into it. Each run
 * gets a fresh empty HOME and its own tool home, so a login in the user's real home would be
 * invisible and the run would fail for lack of credentials: the login file is linked into
 * the run's tool home (a link, so a token the tool refreshes is written back to the user's
 * own file). Used by doctor.ts (the check) and agent-templates.ts (the carry-over).
 */
import { existsSync, lstatSync, readFileSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AgentKind } from "./config.ts";

export type CredentialCheck = { ok: true; how: string } | { ok: false; problem: string };

interface CredentialInput {
  kind: AgentKind;
  /** The daemon's environment (what agents inherit; see agent-templates.ts). */
  env: NodeJS.ProcessEnv;
  agentEnv: Readonly<Record<string, string>>;
  agentArgs: readonly string[];
  homeTemplate: string | undefined;
}

const set = (value: string | undefined): value is string => value !== undefined && value.trim() !== "";

function userHome(env: NodeJS.ProcessEnv): string {
  return set(env.HOME) ? env.HOME : os.homedir();
}

/** The user's own login file for the tool, and its name inside the run's tool home. */
export function loginFile(kind: AgentKind, env: NodeJS.ProcessEnv): { source: string; name: string } | null {
  switch (kind) {
    case "codex": {
      const home = set(env.CODEX_HOME) ? env.CODEX_HOME : path.join(userHome(env), ".codex");
      return { source: path.join(home, "auth.json"), name: "auth.json" };
    }
    case "claude": {
      const home = set(env.CLAUDE_CONFIG_DIR) ? env.CLAUDE_CONFIG_DIR : path.join(userHome(env), ".claude");
      return { source: path.join(home, ".credentials.json"), name: ".credentials.json" };
    }
    default:
      // Copilot CLI keeps its login in the system keychain, which a run cannot be given.
      return null;
  }
}

/**
 * Links the user's login into a run's tool home, unless the home template already put one
 * there. Returns the linked path, or null when there was nothing to carry.
 */
export function carryLogin(kind: AgentKind, env: NodeJS.ProcessEnv, toolHome: string): string | null {
  const login = loginFile(kind, env);
  if (login === null || !existsSync(login.source)) return null;
  const target = path.join(toolHome, login.name);
  if (existsSync(target) || isLink(target)) return null;
  symlinkSync(login.source, target);
  return target;
}

function isLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function templateFile(template: string | undefined, name: string): string | null {
  if (template === undefined) return null;
  const file = path.join(template, name);
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}

/** Codex: an API key, a login, or a model provider (config.toml or `-c model_provider=...`). */
function codex(input: CredentialInput): CredentialCheck {
  const config = templateFile(input.homeTemplate, "config.toml");
  const provider = config?.match(/^\s*model_provider\s*=\s*"([^"]+)"/m)?.[1];
  if (provider !== undefined) {
    const envKey = config?.match(/^\s*env_key\s*=\s*"([^"]+)"/m)?.[1];
    if (envKey !== undefined && !set(input.agentEnv[envKey]) && !set(input.env[envKey])) {
      return {
        ok: false,
        problem: `the model provider "${provider}" in ${input.homeTemplate}/config.toml reads its key from ${envKey}, which is not set (export it or pass --agent-env ${envKey}=...)`,
      };
    }
    return { ok: true, how: `model provider "${provider}" from --agent-home-template` };
  }
  if (input.agentArgs.some((arg) => /model_provider\s*=/.test(arg))) {
    return { ok: true, how: "a model provider given in --agent-arg" };
  }
  if (set(input.agentEnv.OPENAI_API_KEY) || set(input.env.OPENAI_API_KEY)) {
    return { ok: true, how: "OPENAI_API_KEY (passed to each run)" };
  }
  if (templateFile(input.homeTemplate, "auth.json") !== null) {
    return { ok: true, how: "auth.json in --agent-home-template" };
  }
  const login = loginFile("codex", input.env);
  if (login !== null && existsSync(login.source)) {
    return { ok: true, how: `your login ${login.source} (linked into each run's CODEX_HOME)` };
  }
  return {
    ok: false,
    problem: `no credentials for Codex: run \`codex login\` (it writes ${login?.source}), export OPENAI_API_KEY, or configure a model provider in --agent-home-template/config.toml`,
  };
}

function claude(input: CredentialInput): CredentialCheck {
  for (const name of ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"]) {
    if (set(input.agentEnv[name]) || set(input.env[name]))
      return { ok: true, how: `${name} (passed to each run)` };
  }
  if (templateFile(input.homeTemplate, ".credentials.json") !== null) {
    return { ok: true, how: ".credentials.json in --agent-home-template" };
  }
  const login = loginFile("claude", input.env);
  if (login !== null && existsSync(login.source)) {
    return { ok: true, how: `your login ${login.source} (linked into each run's CLAUDE_CONFIG_DIR)` };
  }
  return {
    ok: false,
    problem: `no credentials for Claude Code: export ANTHROPIC_API_KEY, or log in with \`claude\` so that ${login?.source} exists (a login kept in the macOS keychain cannot reach a run)`,
  };
}

function copilot(input: CredentialInput): CredentialCheck {
  const value = (name: string): string | undefined => input.agentEnv[name] ?? input.env[name];
  if (set(value("COPILOT_PROVIDER_BASE_URL"))) {
    return set(value("COPILOT_MODEL"))
      ? { ok: true, how: "a bring-your-own model provider (COPILOT_PROVIDER_BASE_URL)" }
      : {
          ok: false,
          problem: "COPILOT_PROVIDER_BASE_URL is set but COPILOT_MODEL is not; Copilot CLI needs both",
        };
  }
  for (const name of ["COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"]) {
    const token = value(name);
    if (!set(token)) continue;
    if (token.startsWith("ghp_")) {
      return {
        ok: false,
        problem: `${name} is a classic personal access token (ghp_…), which Copilot CLI refuses; use a fine-grained token with the Copilot Requests permission`,
      };
    }
    return { ok: true, how: `${name} (passed to each run)` };
  }
  return {
    ok: false,
    problem:
      "no token for Copilot CLI: export COPILOT_GITHUB_TOKEN (a fine-grained token, not ghp_), or set COPILOT_PROVIDER_BASE_URL and COPILOT_MODEL; a /login kept in the keychain cannot reach a run",
  };
}

export function checkCredentials(input: CredentialInput): CredentialCheck {
  switch (input.kind) {
    case "codex":
      return codex(input);
    case "claude":
      return claude(input);
    case "copilot":
      return copilot(input);
    case "custom":
      return { ok: true, how: "a custom command brings its own credentials (agentEnv or the environment)" };
  }
}
