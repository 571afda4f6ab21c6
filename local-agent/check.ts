/**
 * The daemon's lock re-check before it writes code (seed: "How agents check for conflicts"):
 * an injected `LockCheck` so tests and callers choose the board source. The board version
 * lists live board items and applies the shared lock rules from worker/board/. Used by daemon.ts.
 */
import { readFileSync } from "node:fs";
import type { DispatchArgs } from "../worker/protocol/messages.ts";
import {
  ConfigError,
  parseWorkspaceConfigText,
  type WorkspaceConfig,
} from "../worker/config/workspace-config.ts";
import type { BoardItem } from "../worker/board/board-item.ts";
import { BoardClient } from "../worker/board/board-client.ts";
import { isActive } from "../worker/board/gate.ts";
import { sameRepo } from "../worker/board/issue-refs.ts";
import {
  findKeyConflicts,
  formatLockKeys,
  heldLocks,
  parseLockKeys,
  type LockKey,
} from "../worker/board/locks.ts";
import { AgentConfigError, type AgentConfig } from "./config.ts";
import type { Logger } from "./logger.ts";

export type CheckResult = { ok: true } | { ok: false; reason: string };
export type LockCheck = (args: DispatchArgs) => Promise<CheckResult>;

/** The keys a dispatched item holds: its `lockKeys`, else its area (or its files under `files` scope). */
export function dispatchedKeys(args: DispatchArgs): LockKey[] {
  const parsed = parseLockKeys(args.lockKeys.join("\n"), args.repo).keys;
  if (parsed.length > 0) return parsed;
  if (args.lockScope === "files" && args.neededFiles.length > 0) {
    return args.neededFiles.map((path) => ({ repo: args.repo, area: args.area, path }));
  }
  return [{ repo: args.repo, area: args.area, path: null }];
}

/**
 * Pure: is any other active item of the same repo holding a key that overlaps the dispatched
 * item's keys? The reason is worded as in the seed.
 */
export function findLockConflict(
  args: DispatchArgs,
  board: readonly BoardItem[],
  config: WorkspaceConfig,
  now: Date | number,
): CheckResult {
  const requested = dispatchedKeys(args);
  for (const other of board) {
    if (other.itemId === args.itemId) continue;
    if (other.number === args.issueNumber && sameRepo(other.repo, args.repo)) continue;
    if (!sameRepo(other.repo, args.repo) || !isActive(other, config, now)) continue;
    const conflicts = findKeyConflicts(requested, heldLocks(other, config), config);
    if (conflicts.length > 0) {
      return {
        ok: false,
        reason: `Lock conflict: Issue #${other.number ?? "?"} currently holds overlapping lock key(s). (${formatLockKeys(conflicts.map((c) => c.held))})`,
      };
    }
  }
  return { ok: true };
}

export interface BoardLockCheckOptions {
  /** Lists the project's items from live board data (a BoardClient, or the emulator in tests). */
  listItems: () => Promise<readonly BoardItem[]>;
  config: WorkspaceConfig;
  logger: Logger;
  now?: () => Date;
}

/** The real re-check: live board items through `listItems`, the shared lock rules. */
export function boardLockCheck(options: BoardLockCheckOptions): LockCheck {
  return async (args) => {
    let board: readonly BoardItem[];
    try {
      board = await options.listItems();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.logger.warn("lock_check_failed", { issue: args.issueNumber, message });
      // Without live board data the check cannot pass: the run must not write code blind.
      return { ok: false, reason: `Lock re-check failed: could not read the board (${message}).` };
    }
    return findLockConflict(args, board, options.config, options.now?.() ?? new Date());
  };
}

/** `--lock-check off`: trust the RepoQueue's gate. */
export const skipLockCheck: LockCheck = async () => ({ ok: true });

/**
 * The board check was asked for but cannot run (no board client, token or workspace config):
 * every run proceeds on the RepoQueue's gate alone, and says so in the log.
 */
export function unconfiguredLockCheck(logger: Logger, why: string): LockCheck {
  logger.warn("board_check_not_configured", { why, effect: "runs proceed on the RepoQueue's gate alone" });
  return async (args) => {
    logger.warn("board_check_not_configured", { issue: args.issueNumber, why });
    return { ok: true };
  };
}

/**
 * The check a daemon gets from its config: `off`; the board through a BoardClient when a GitHub
 * token and the workspace config are given; else "board check not configured". Throws
 * AgentConfigError when the workspace config file is unreadable or invalid.
 */
export function createLockCheck(config: AgentConfig, logger: Logger): LockCheck {
  if (config.lockCheck === "off") return skipLockCheck;
  if (config.githubToken === undefined) {
    return unconfiguredLockCheck(
      logger,
      "no GitHub token: set GITHUB_TOKEN or --github-token (or --lock-check off)",
    );
  }
  if (config.workspaceConfig === undefined) {
    return unconfiguredLockCheck(
      logger,
      "no workspace config: pass --workspace-config (or --lock-check off)",
    );
  }
  let workspace: WorkspaceConfig;
  try {
    workspace = parseWorkspaceConfigText(readFileSync(config.workspaceConfig, "utf8"));
  } catch (error) {
    const detail =
      error instanceof ConfigError
        ? error.problems.join("; ")
        : error instanceof Error
          ? error.message
          : String(error);
    throw new AgentConfigError([
      `workspaceConfig (--workspace-config): ${config.workspaceConfig}: ${detail}`,
    ]);
  }
  const client = new BoardClient({
    config: workspace,
    auth: { token: config.githubToken },
    apiUrl: config.githubApiUrl,
  });
  // Done items hold no locks: leave them out of the read to spare the GraphQL budget.
  const query = workspace.statuses.done
    .map((status) => `-status:${/\s/.test(status) ? JSON.stringify(status) : status}`)
    .join(" ");
  logger.info("board_check_configured", {
    project: workspace.project,
    apiUrl: config.githubApiUrl ?? "https://api.github.com",
  });
  return boardLockCheck({ listItems: () => client.listItems({ query }), config: workspace, logger });
}
