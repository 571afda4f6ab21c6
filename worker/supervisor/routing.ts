/**
 * Where a workspace event goes: exactly one RepoQueue, the board (to find the repo of a
 * project item), or nowhere with a recorded reason. Pure; used by the WorkspaceSupervisor.
 */
import { findRepo, type WorkspaceConfig } from "../config/workspace-config.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";

export type Route =
  | { kind: "repo"; repo: string }
  | { kind: "resolve_item"; itemId: string }
  | { kind: "unrouted"; reason: string };

export function routeEvent(config: WorkspaceConfig, event: WorkspaceEvent): Route {
  if (event.kind === "project_item") {
    if (event.org !== null && event.org.toLowerCase() !== config.project.org.toLowerCase()) {
      return {
        kind: "unrouted",
        reason: `project item of organization ${event.org}, not ${config.project.org}`,
      };
    }
    return { kind: "resolve_item", itemId: event.itemId };
  }
  const repo = findRepo(config, event.repo);
  if (!repo) return { kind: "unrouted", reason: `repository ${event.repo} is not in the workspace` };
  return { kind: "repo", repo: repo.name };
}
