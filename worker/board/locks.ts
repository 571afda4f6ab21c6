/**
 * Lock keys: what an item asks for (from Area, Lock Scope, Needed Files), what an active
 * item holds (its Lock Key field, else the same computation), the board text format of
 * keys, and the conflict rule of DESIGN "Lock rules". Pure; used by the gate (RepoQueue)
 * and by the daemon's re-check before it writes code.
 */
import type { Area, LockScope, RepoConfig, WorkspaceConfig } from "../config/workspace-config.ts";
import { findRepo } from "../config/workspace-config.ts";
import type { BoardItem } from "./board-item.ts";
import { globsOverlap, normalizePattern } from "./globs.ts";
import { sameRepo } from "./issue-refs.ts";

/** One lock: the whole area when `path` is null, else one path, directory or glob inside it. */
export type LockKey = { repo: string; area: string; path: string | null };

export type RequestedLocks =
  | { ok: true; area: Area; scope: LockScope; keys: LockKey[] }
  | { ok: false; problem: "missing_area" | "unknown_area" | "no_repo"; reason: string };

export type ParsedLockKeys = { keys: LockKey[]; invalid: string[] };

/** A pair of keys that cannot be held at once. */
export type KeyConflict = { requested: LockKey; held: LockKey };

function splitList(text: string | null | undefined): string[] {
  return (text ?? "")
    .split(/[,\n\r]+/)
    .map((part) =>
      part
        .trim()
        .replace(/^[-•]\s+/, "")
        .replace(/^[`'"]+|[`'"]+$/g, "")
        .trim(),
    )
    .filter((part) => part !== "");
}

/** `Needed Files`: paths, directories or globs separated by commas or newlines. */
export function parseNeededFiles(text: string | null | undefined): string[] {
  return [
    ...new Set(
      splitList(text)
        .map(normalizePattern)
        .filter((path) => path !== ""),
    ),
  ];
}

/** Parses `Lock Key` text: `<area>` or `<area>:<path-or-glob>`, comma or newline separated. */
export function parseLockKeys(text: string | null | undefined, repo: string): ParsedLockKeys {
  const keys: LockKey[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const token of splitList(text)) {
    const colon = token.indexOf(":");
    const area = (colon < 0 ? token : token.slice(0, colon)).trim();
    const path = colon < 0 ? null : normalizePattern(token.slice(colon + 1));
    if (area === "" || path === "") {
      invalid.push(token);
      continue;
    }
    const key: LockKey = { repo, area, path };
    const id = formatLockKey(key);
    if (!seen.has(id)) {
      seen.add(id);
      keys.push(key);
    }
  }
  return { keys, invalid };
}

export function formatLockKey(key: Pick<LockKey, "area" | "path">): string {
  return key.path === null ? key.area : `${key.area}:${key.path}`;
}

/** The text a claim writes to the board's `Lock Key` field. */
export function formatLockKeys(keys: readonly Pick<LockKey, "area" | "path">[]): string {
  return keys.map(formatLockKey).join(", ");
}

/** The item's `Lock Scope` when it says `area` or `files`, else the area's default. */
export function resolveLockScope(item: Pick<BoardItem, "fields">, area: Area): LockScope {
  const value = item.fields.lockScope?.trim().toLowerCase();
  if (value === "area") return "area";
  if (value === "files" || value === "file") return "files";
  return area.lockScope;
}

export function findArea(repo: RepoConfig, name: string): Area | undefined {
  const wanted = name.trim().toLowerCase();
  return repo.areas.find((area) => area.name.toLowerCase() === wanted);
}

/** The keys an item must claim to run: its area, or only its Needed Files under `files` scope. */
export function requestedLocks(
  item: Pick<BoardItem, "fields" | "repo">,
  repo: RepoConfig | undefined,
): RequestedLocks {
  if (item.repo === null || repo === undefined) {
    return { ok: false, problem: "no_repo", reason: "Not in a configured repo." };
  }
  const areaNames = repo.areas.map((candidate) => candidate.name).join(", ");
  const name = item.fields.area?.trim() ?? "";
  if (name === "") {
    return { ok: false, problem: "missing_area", reason: `Missing Area: set Area to one of ${areaNames}.` };
  }
  const area = findArea(repo, name);
  if (area === undefined) {
    return {
      ok: false,
      problem: "unknown_area",
      reason: `Missing Area: "${name}" is not an area of ${repo.name} (one of ${areaNames}).`,
    };
  }
  const scope = resolveLockScope(item, area);
  const files = scope === "files" ? parseNeededFiles(item.fields.neededFiles) : [];
  const keys: LockKey[] =
    files.length === 0
      ? [{ repo: item.repo, area: area.name, path: null }]
      : files.map((path) => ({ repo: item.repo ?? repo.name, area: area.name, path }));
  return { ok: true, area, scope, keys };
}

/** What an active item holds: its `Lock Key` field when set, else what it would request. */
export function heldLocks(item: Pick<BoardItem, "fields" | "repo">, config: WorkspaceConfig): LockKey[] {
  if (item.repo === null) return [];
  const written = parseLockKeys(item.fields.lockKey, item.repo);
  if (written.keys.length > 0) return written.keys;
  const requested = requestedLocks(item, findRepo(config, item.repo));
  return requested.ok ? requested.keys : [];
}

function coversPath(area: LockKey, file: LockKey, repo: RepoConfig | undefined): boolean {
  if (area.area.toLowerCase() === file.area.toLowerCase()) return true;
  const definition = repo === undefined ? undefined : findArea(repo, area.area);
  const path = file.path ?? "";
  return definition?.paths.some((pattern) => globsOverlap(pattern, path)) ?? false;
}

/**
 * The conflict rule: different repos never conflict; an area lock conflicts with every lock
 * in its area and with any file lock whose path can fall under the area's directories; two
 * file locks conflict when some path matches both.
 */
export function locksConflict(a: LockKey, b: LockKey, repo: RepoConfig | undefined): boolean {
  if (!sameRepo(a.repo, b.repo)) return false;
  if (a.path === null && b.path === null) return a.area.toLowerCase() === b.area.toLowerCase();
  if (a.path === null) return coversPath(a, b, repo);
  if (b.path === null) return coversPath(b, a, repo);
  return globsOverlap(a.path, b.path);
}

/** Every requested/held pair that conflicts. */
export function findKeyConflicts(
  requested: readonly LockKey[],
  held: readonly LockKey[],
  config: WorkspaceConfig,
): KeyConflict[] {
  const out: KeyConflict[] = [];
  for (const want of requested) {
    const repo = findRepo(config, want.repo);
    for (const have of held) {
      if (locksConflict(want, have, repo)) out.push({ requested: want, held: have });
    }
  }
  return out;
}
