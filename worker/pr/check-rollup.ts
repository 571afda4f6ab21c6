/**
 * A pull request's checks as the webhooks report them (`check_suite`, `check_run`, `status`),
 * kept per head commit without reading GitHub: each check's latest state by name, and their
 * rollup — failing if any fails, pending while any runs, passing once all that reported pass.
 * Pure; the reviews table stores the map, landing decisions read the rollup.
 */

export type CheckState = "pending" | "success" | "failure";
export type Rollup = "none" | CheckState;

/** `run:<name>`, `suite:<app>` or `status:<context>` → its latest state. */
export type CheckMap = Record<string, CheckState>;

export interface CheckReport {
  source: "check_run" | "check_suite" | "status";
  /** The check's name, the suite's app, or the status's context. */
  name: string;
  state: CheckState;
}

const PASSING = new Set(["success", "neutral", "skipped"]);
const FAILING = new Set([
  "failure",
  "cancelled",
  "timed_out",
  "action_required",
  "stale",
  "startup_failure",
  "error",
]);

/** A conclusion or status state as GitHub words it (any case) → ours; unfinished → pending. */
export function checkState(status: string | null, conclusion: string | null): CheckState {
  const value = (conclusion ?? "").toLowerCase();
  if (PASSING.has(value)) return "success";
  if (FAILING.has(value)) return "failure";
  const state = (status ?? "").toLowerCase();
  if (state === "success") return "success";
  if (FAILING.has(state)) return "failure";
  return "pending";
}

export function applyCheck(checks: CheckMap, report: CheckReport): CheckMap {
  const prefix = report.source === "check_run" ? "run" : report.source === "check_suite" ? "suite" : "status";
  return { ...checks, [`${prefix}:${report.name}`]: report.state };
}

export function rollup(checks: CheckMap): Rollup {
  const states = Object.values(checks);
  if (states.length === 0) return "none";
  if (states.includes("failure")) return "failure";
  if (states.includes("pending")) return "pending";
  return "success";
}

/** The names of the failing checks, for the reason on record. */
export function failing(checks: CheckMap): string[] {
  return Object.entries(checks)
    .filter(([, state]) => state === "failure")
    .map(([key]) => key.slice(key.indexOf(":") + 1));
}
