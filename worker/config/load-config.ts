/**
 * Loads the workspace config for the Worker: the `WORKSPACE_CONFIG` variable when set, else
 * the bundled `workspace.config.json`. Parsed once per distinct text and cached per isolate.
 */
import bundled from "../../workspace.config.json";
import { parseWorkspaceConfig, parseWorkspaceConfigText, type WorkspaceConfig } from "./workspace-config.ts";

let cached: { source: string; config: WorkspaceConfig } | undefined;

export function loadWorkspaceConfig(env: { WORKSPACE_CONFIG?: string }): WorkspaceConfig {
  const source = env.WORKSPACE_CONFIG?.trim() ?? "";
  if (cached && cached.source === source) return cached.config;
  const config = source === "" ? parseWorkspaceConfig(bundled) : parseWorkspaceConfigText(source);
  cached = { source, config };
  return config;
}
