/**
 * Durable Object stubs by name: the workspace's one supervisor, and a repo's queue.
 */
import type { AppEnv } from "../env.ts";
import { loadWorkspaceConfig } from "../config/load-config.ts";

export function supervisorFor(env: AppEnv) {
  return env.WORKSPACE_SUPERVISOR.getByName(loadWorkspaceConfig(env).workspace);
}

export function repoQueueFor(env: AppEnv, repo: string) {
  return env.REPO_QUEUE.getByName(repo);
}
