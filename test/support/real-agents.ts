/**
 * What the tests that run the real agent CLIs from npm share: where the binaries are, a Codex
 * config home whose provider is the scripted model endpoint, and the environment that points
 * Claude Code at it (no retries, so a broken script fails at once instead of in minutes).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { ScriptedModelServer } from "./scripted-model-server.ts";

export const CODEX_BIN = resolve("node_modules/.bin/codex");
export const CLAUDE_BIN = resolve("node_modules/.bin/claude");
export const MODEL_KEY = "scripted-model-key";

/** A folder for `--agent-home-template`: a config.toml with the scripted server as provider. */
export async function writeCodexHome(dir: string, model: ScriptedModelServer): Promise<string> {
  const home = join(dir, "codex-home-template");
  await mkdir(home, { recursive: true });
  await writeFile(
    join(home, "config.toml"),
    [
      'model = "scripted"',
      'model_provider = "scripted"',
      "",
      "[model_providers.scripted]",
      'name = "Scripted model server"',
      `base_url = "${model.baseUrl}"`,
      'wire_api = "responses"',
      'env_key = "SCRIPTED_MODEL_KEY"',
      "",
    ].join("\n"),
  );
  return home;
}

/** `agentEnv` for Codex: the key its provider config names. */
export const codexAgentEnv = (): Record<string, string> => ({ SCRIPTED_MODEL_KEY: MODEL_KEY });

/** `agentEnv` for Claude Code against the scripted Messages API. */
export function claudeAgentEnv(model: ScriptedModelServer): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: model.anthropicBaseUrl,
    ANTHROPIC_API_KEY: MODEL_KEY,
    CLAUDE_CODE_MAX_RETRIES: "0",
  };
}
