/**
 * The Worker's bindings: what wrangler.toml declares (generated `Env`) plus the secrets set
 * with `wrangler secret put` (or `.dev.vars` locally), which `wrangler types` cannot see.
 */
import type { RepoQueue } from "./objects/repo-queue.ts";
import type { WorkspaceSupervisor } from "./objects/workspace-supervisor.ts";

export interface AppEnv {
  WORKSPACE_SUPERVISOR: DurableObjectNamespace<WorkspaceSupervisor>;
  REPO_QUEUE: DurableObjectNamespace<RepoQueue>;
  /** The dashboard's static assets (dashboard/dist); the tests read the page through it. */
  ASSETS: Fetcher;
  /** GitHub's API host; the emulator's URL in local mode. */
  GITHUB_API_URL: string;
  /** The workspace configuration as JSON; empty means the bundled workspace.config.json. */
  WORKSPACE_CONFIG: string;
  GITHUB_WEBHOOK_SECRET: string;
  /** The previous webhook secret, accepted too while a rotation is under way. */
  GITHUB_WEBHOOK_SECRET_PREVIOUS?: string;
  ADMIN_TOKEN: string;
  /** Key that agent tokens are derived from: token = HMAC-SHA256(key, "agent:" + repo). */
  AGENT_TOKEN_KEY: string;
  /** A GitHub token (PAT or installation token) for the board client... */
  GITHUB_TOKEN?: string;
  /** ...or GitHub App credentials. */
  GITHUB_APP_ID?: string;
  GITHUB_APP_PRIVATE_KEY?: string;
  GITHUB_APP_INSTALLATION_ID?: string;
}
