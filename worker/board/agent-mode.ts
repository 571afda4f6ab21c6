/**
 * Who runs an item, from its `Agent Mode` (DESIGN "From run to merge"): `cli` is a local-agent
 * daemon, `cloud` is GitHub's Copilot coding agent by assignment, `local-ide` is a person and
 * is never dispatched. Pure; the gate pass routes on it, the daemon refuses what is not its own.
 */
import { AgentModeName, type WorkspaceConfig } from "../config/workspace-config.ts";

export type AgentMode = AgentModeName;

/** The Claim Owner of an item Copilot works on (the dispatcher's own claim, not a person's). */
export const COPILOT_CLAIM_OWNER = "copilot";

export type ModeOf = { ok: true; mode: AgentMode } | { ok: false; reason: string };

/** An item's mode from its `Agent Mode` value: empty is the configured default, unknown is refused. */
export function agentModeOf(value: string | null, config: WorkspaceConfig): ModeOf {
  const text = value?.trim().toLowerCase() ?? "";
  if (text === "") return { ok: true, mode: config.agentMode.default };
  const parsed = AgentModeName.safeParse(text);
  if (parsed.success) return { ok: true, mode: parsed.data };
  return {
    ok: false,
    reason: `${config.fields.agentMode} "${value ?? ""}" is not one of ${AgentModeName.options.join(", ")}.`,
  };
}

/**
 * Why a local-agent daemon must not take a dispatch whose `Agent Mode` says so, or null when it
 * may (an empty value is the Worker's default, which dispatched it).
 */
export function daemonRefusal(value: string | null): string | null {
  const text = value?.trim().toLowerCase() ?? "";
  if (text === "cloud")
    return "Agent Mode is cloud: GitHub's Copilot coding agent works on it, not a daemon.";
  if (text === "local-ide") return "Agent Mode is local-ide: a person works on it; it is never dispatched.";
  return null;
}
