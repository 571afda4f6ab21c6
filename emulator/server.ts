/**
 * The programmatic entry point: `startEmulator(options)` builds the store (from a state
 * file, a seed, or the Phoenix sample board), wires webhooks to store events, serves the app
 * on loopback, and links repos to bare git repositories (`gitRoot`, a seed's `gitDir`) with a
 * push hook. Tests, end-to-end runs and `main.ts` use it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { createApp } from "./app.ts";
import { installPushHook } from "./git/push-hook.ts";
import { RateLimiter } from "./graphql/rate-limiter.ts";
import { RequestLog } from "./graphql/request-log.ts";
import { ServerFaults } from "./graphql/server-faults.ts";
import { silentLogger, type Logger } from "./logger.ts";
import type { EmulatorRuntime } from "./runtime.ts";
import type { SeedInput } from "./seed/seed-schema.ts";
import { seedToState } from "./seed/seed-to-state.ts";
import { EmulatorStore } from "./store/emulator-store.ts";
import { persistStore, readStateFile } from "./store/state-file.ts";
import { emptyState, type EmulatorState } from "./store/state-schema.ts";
import { webhookFor } from "./webhooks/webhook-payloads.ts";
import { WebhookDispatcher, type WebhookTarget } from "./webhooks/webhook-dispatcher.ts";

export const PHOENIX_SEED_PATH = new URL("./seed/phoenix-board.json", import.meta.url);

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** A seed object, a path to a seed JSON file, or null for an empty GitHub. Default: the Phoenix board. */
  seed?: SeedInput | string | URL | null;
  /** Persist state here; an existing file wins over the seed. */
  statePath?: string;
  /** Where to send org webhooks; omit for none. */
  webhook?: { url: string; secret: string; hookId?: number };
  /** Accepted tokens; omit to accept any non-empty token. */
  tokens?: string[];
  /** Login GraphQL writes are attributed to. Default `worker-factory-bot`. */
  actor?: string;
  /** GraphQL points per hour. Default 5,000. */
  rateLimit?: number;
  /**
   * Serve each repo `owner/name` from the bare git repository `<gitRoot>/<name>.git`
   * (created with an initial commit when missing), with a push hook that reports pushes.
   */
  gitRoot?: string;
  logger?: Logger;
  /** The emulator's clock (epoch ms): timestamps and rate-limit windows. Default `Date.now`. */
  now?: () => number;
}

export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`; GraphQL is at `${url}/graphql`. */
  url: string;
  graphqlUrl: string;
  store: EmulatorStore;
  rateLimiter: RateLimiter;
  requests: RequestLog;
  faults: ServerFaults;
  webhooks: WebhookDispatcher;
  /** Resolves once every webhook queued so far has been attempted. */
  webhooksIdle(): Promise<void>;
  close(): Promise<void>;
}

export function loadSeedState(seed: EmulatorOptions["seed"]): EmulatorState {
  if (seed === null) return emptyState();
  const source = seed ?? PHOENIX_SEED_PATH;
  if (typeof source === "string" || source instanceof URL) {
    const parsed: unknown = JSON.parse(readFileSync(source, "utf8"));
    return seedToState(parsed);
  }
  return seedToState(source);
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const logger = options.logger ?? silentLogger;
  const seeded = loadSeedState(options.seed);
  const persisted = options.statePath === undefined ? null : readStateFile(options.statePath);
  const now = options.now ?? Date.now;
  const store = new EmulatorStore(persisted ?? structuredClone(seeded), () => new Date(now()).toISOString());
  const target: WebhookTarget | null =
    options.webhook === undefined
      ? null
      : { url: options.webhook.url, secret: options.webhook.secret, hookId: options.webhook.hookId ?? 1 };
  const webhooks = new WebhookDispatcher({ target, logger, now });
  store.subscribe((event) => {
    // A payload that cannot be built must not undo the write that announced it.
    try {
      const message = webhookFor(store, event);
      if (message !== null) webhooks.enqueue(message);
    } catch (error) {
      logger("webhook.payload_failed", {
        event: event.type,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  });
  const stopPersisting = options.statePath === undefined ? () => {} : persistStore(store, options.statePath);
  const runtime: EmulatorRuntime = {
    store,
    rateLimiter: new RateLimiter(options.rateLimit ?? 5_000, now),
    restRateLimiter: new RateLimiter(5_000, now, "core"),
    requests: new RequestLog(),
    faults: new ServerFaults(),
    webhooks,
    logger,
    tokens: options.tokens ?? [],
    actor: options.actor ?? "worker-factory-bot",
    baseline: seeded,
    url: "",
  };
  const app = createApp(runtime);
  const host = options.host ?? "127.0.0.1";
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => resolve(s));
    s.once("error", reject);
  });
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error("The emulator's server has no TCP address");
  const url = `http://${host}:${address.port}`;
  runtime.url = url;
  for (const repo of store.state.repos) {
    const gitDir = options.gitRoot === undefined ? repo.gitDir : join(options.gitRoot, `${repo.name}.git`);
    if (gitDir === null) continue;
    store.loop.git.link(repo, gitDir);
    installPushHook(gitDir, url, `${repo.owner}/${repo.name}`);
  }
  logger("listening", { url, items: store.state.items.length, webhook: target?.url ?? null });
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    store,
    rateLimiter: runtime.rateLimiter,
    requests: runtime.requests,
    faults: runtime.faults,
    webhooks,
    webhooksIdle: () => webhooks.idle(),
    close: async () => {
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      if ("closeAllConnections" in server) server.closeAllConnections();
      await closed;
      await webhooks.idle();
      stopPersisting();
    },
  };
}
