/**
 * The Worker's board clients, built from its bindings: `GITHUB_API_URL`, and a token or GitHub
 * App credentials. `createBoard` shares one client per isolate and credentials (routes, the
 * supervisor); `boardFor` gives a Durable Object a client of its own whose budget meter and
 * project schema it keeps in its storage, so neither is lost when the object is evicted.
 */
import type { AppEnv } from "../env.ts";
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import { BoardClient, type BoardAuth, type BoardClientOptions } from "../board/board-client.ts";
import { ProjectSchema } from "../board/project-schema.ts";
import { z } from "zod";
import type { Budget } from "../board/api-budget.ts";
import type { Meta } from "../queue/meta.ts";

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

const StoredBudget = z.object({
  limit: z.number().nullable(),
  remaining: z.number().nullable(),
  used: z.number().nullable(),
  resetAt: z.string().nullable(),
  lastCost: z.number(),
  totalCost: z.number(),
  calls: z.number(),
  byKind: z.record(z.string(), z.object({ calls: z.number(), points: z.number() })),
  observedAt: z.number().nullable(),
});

function stored<T>(schema: z.ZodType<T>, text: string | null): T | undefined {
  if (text === null) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A board client for one Durable Object: its meter and project schema live in `meta`. */
export function boardFor(env: AppEnv, config: WorkspaceConfig, meta: Meta): BoardClient {
  const budget: Budget | undefined = stored(StoredBudget, meta.get("budget"));
  const schema = stored(ProjectSchema, meta.get("project_schema"));
  const options: BoardClientOptions = {
    config,
    auth: boardAuth(env),
    apiUrl: env.GITHUB_API_URL || "https://api.github.com",
    onBudget: (snapshot) => meta.set("budget", JSON.stringify(snapshot)),
    onSchema: (read) => meta.set("project_schema", JSON.stringify(read)),
    ...(budget === undefined ? {} : { budget }),
    ...(schema === undefined ? {} : { schema }),
  };
  return new BoardClient(options);
}
