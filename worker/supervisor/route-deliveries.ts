/**
 * The supervisor's routing of recorded deliveries: each pending inbox event goes to exactly one
 * RepoQueue — by its repository, or for a project item by the routing index (an unknown item is
 * read once, by id, and handed over with the item) — or is recorded with why it went nowhere.
 * Each RepoQueue's outcome updates the indexes and fans completions out. Plain module, used by
 * the supervisor's core.
 */
import type { BoardClient } from "../board/board-client.ts";
import type { BoardItem } from "../board/board-item.ts";
import { findRepo, type WorkspaceConfig } from "../config/workspace-config.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import type { Meta } from "../queue/meta.ts";
import type { RepoOutcome } from "../queue/repo-host.ts";
import type { Deliveries } from "./deliveries.ts";
import { absorbOutcome, type FanOutDeps } from "./fan-out.ts";
import type { Inbox, InboxEntry } from "./inbox.ts";
import type { Indexes } from "./indexes.ts";
import { routeEvent } from "./routing.ts";
import type { RepoQueuePort } from "./supervisor-host.ts";

/** After a failed `viewer` read, how long before asking again (the echo check works without it). */
const IDENTITY_RETRY_MS = 60 * 60 * 1000;

export interface RouteDeps {
  config: WorkspaceConfig;
  deliveries: Deliveries;
  inbox: Inbox;
  indexes: Indexes;
  values: Meta;
  board: () => BoardClient;
  repoQueue: (repo: string) => RepoQueuePort;
  fanOut: FanOutDeps;
  transaction: (work: () => void) => void;
  now: () => number;
  log: (line: string) => void;
}

/** One round over the pending inbox, in order; a failed hand-off stays for the alarm. */
export async function routePending(deps: RouteDeps): Promise<void> {
  if (deps.inbox.list("pending").length > 0) await ensureIndexed(deps);
  for (const entry of deps.inbox.list("pending")) {
    const route = routeEvent(deps.config, entry.event);
    try {
      if (route.kind === "repo") {
        await hand(deps, route.repo, entry, null);
      } else if (route.kind === "unrouted") {
        // An issue of a repo outside the workspace may still be what items here wait on.
        if (entry.event.kind === "issue") await absorbOutcome(deps.fanOut, null, issueOutcome(entry.event));
        settle(deps, entry.deliveryId, () =>
          deps.deliveries.setOutcome(entry.deliveryId, "unrouted", null, route.reason),
        );
      } else {
        const known = deps.indexes.repoOf(route.itemId);
        if (known !== null) await hand(deps, known, entry, null);
        else await resolveItem(deps, entry, route.itemId);
      }
    } catch (error) {
      deps.inbox.markFailed(entry.deliveryId, error instanceof Error ? error.message : String(error));
    }
  }
}

/**
 * The indexes need every repo's items: a repo that has never reported reads its board once
 * (its first start) and reports, before events are routed by the indexes. Repos that fail
 * are asked again on the next delivery.
 */
export async function ensureIndexed(deps: RouteDeps): Promise<void> {
  const missing = deps.config.repos.filter((repo) => deps.values.get(`indexed:${repo.name}`) === null);
  await Promise.all(
    missing.map(async (repo) => {
      const outcome = await deps.repoQueue(repo.name).reportIndex(repo.name);
      await absorbOutcome(deps.fanOut, repo.name, outcome);
      deps.values.set(`indexed:${repo.name}`, String(deps.now()));
    }),
  );
}

/**
 * A project item the indexes do not know: read it once (it may be new, or of another
 * project), route it with the item attached so its RepoQueue need not read it again.
 * Drafts and repos outside the workspace are recorded as unrouted; a board failure leaves
 * it awaiting.
 */
export async function resolveItem(deps: RouteDeps, entry: InboxEntry, itemId: string): Promise<void> {
  if (entry.event.kind !== "project_item") return;
  const { config } = deps;
  let route: { repo: string; item: BoardItem | null } | { reason: string };
  try {
    const board = deps.board();
    const projectId = await board.projectId();
    if (entry.event.projectId !== projectId) {
      route = {
        reason: `project ${entry.event.projectId} is not the workspace's project ${config.project.org}#${config.project.number}`,
      };
    } else {
      const item = await board.getItem(itemId);
      const repo = item?.repo ? findRepo(config, item.repo) : undefined;
      route = repo
        ? { repo: repo.name, item }
        : {
            reason: item?.repo
              ? `repository ${item.repo} is not in the workspace`
              : `item ${itemId} has no repository (draft, redacted or deleted)`,
          };
    }
  } catch (error) {
    const reason = `waiting for the board to resolve the item: ${error instanceof Error ? error.message : String(error)}`;
    deps.transaction(() => {
      deps.inbox.markAwaiting(entry.deliveryId, reason);
      deps.deliveries.setOutcome(entry.deliveryId, "awaiting_resolution", null, reason);
    });
    return;
  }
  if ("reason" in route) {
    const { reason } = route;
    settle(deps, entry.deliveryId, () =>
      deps.deliveries.setOutcome(entry.deliveryId, "unrouted", null, reason),
    );
    return;
  }
  await hand(deps, route.repo, entry, route.item);
}

/** Hands one event to its RepoQueue, then absorbs what the queue reports. */
async function hand(deps: RouteDeps, repo: string, entry: InboxEntry, item: BoardItem | null): Promise<void> {
  const outcome: RepoOutcome = await deps.repoQueue(repo).ingest({
    repo,
    deliveryId: entry.deliveryId,
    event: entry.event,
    item,
    selfLogin: await selfLogin(deps),
  });
  await absorbOutcome(deps.fanOut, repo, outcome);
  settle(deps, entry.deliveryId, () => {
    deps.deliveries.setOutcome(entry.deliveryId, "routed", repo, null);
    if (outcome.echo === true) deps.deliveries.markEcho(entry.deliveryId);
  });
}

/** The login the board client writes as, read once (one point) and kept. */
async function selfLogin(deps: RouteDeps): Promise<string | null> {
  const known = deps.values.get("self_login");
  if (known) return known;
  const failedAt = deps.values.getNumber("self_login_failed_at");
  if (failedAt !== null && deps.now() - failedAt < IDENTITY_RETRY_MS) return null;
  try {
    const login = await deps.board().viewerLogin();
    deps.values.set("self_login", login);
    return login;
  } catch (error) {
    deps.values.set("self_login_failed_at", String(deps.now()));
    deps.log(JSON.stringify({ event: "viewer_read_failed", message: String(error) }));
    return null;
  }
}

function settle(deps: RouteDeps, deliveryId: string, record: () => void): void {
  deps.transaction(() => {
    deps.inbox.remove(deliveryId);
    record();
  });
}

/** The completion an issue event carries by itself (for items that wait on an issue elsewhere). */
function issueOutcome(
  event: Extract<WorkspaceEvent, { kind: "issue" }>,
): Pick<RepoOutcome, "completions" | "index"> {
  if (event.action !== "closed" && event.action !== "reopened") return { completions: [], index: null };
  const closed = event.action === "closed";
  return {
    completions: [
      {
        repo: event.repo,
        number: event.number,
        state: closed ? "CLOSED" : "OPEN",
        stateReason: closed && event.stateReason !== null ? event.stateReason.toUpperCase() : null,
      },
    ],
    index: null,
  };
}
