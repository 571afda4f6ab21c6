/**
 * The Worker's board client, built from its bindings: `GITHUB_API_URL`, and a token or GitHub
 * App credentials. One client per isolate and credentials, so its budget meter and project
 * schema cache are shared by every caller in the isolate.
 */
import type { AppEnv } from "../env.ts";
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import { BoardClient, type BoardAuth } from "../board/board-client.ts";

const clients = new Map<string, BoardClient>();

export class MissingCredentialsError extends Error {
  override readonly name = "MissingCredentialsError";
}

export function createBoard(env: AppEnv, config: WorkspaceConfig): BoardClient {
  const auth = boardAuth(env);
  const apiUrl = env.GITHUB_API_URL || "https://api.github.com";
  const key = JSON.stringify([
    apiUrl,
    "token" in auth ? auth.token : auth.appId,
    config.workspace,
    config.project,
  ]);
  let client = clients.get(key);
  if (!client) {
    client = new BoardClient({ config, auth, apiUrl });
    clients.set(key, client);
  }
  return client;
}

function boardAuth(env: AppEnv): BoardAuth {
  if (env.GITHUB_APP_ID && env.GITHUB_APP_PRIVATE_KEY && env.GITHUB_APP_INSTALLATION_ID) {
    return {
      appId: env.GITHUB_APP_ID,
      privateKey: env.GITHUB_APP_PRIVATE_KEY,
      installationId: env.GITHUB_APP_INSTALLATION_ID,
    };
  }
  if (env.GITHUB_TOKEN) return { token: env.GITHUB_TOKEN };
  throw new MissingCredentialsError(
    "set GITHUB_TOKEN, or GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY + GITHUB_APP_INSTALLATION_ID",
  );
}
