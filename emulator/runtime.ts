/**
 * The parts of one running emulator that its routes share: the store, the rate limiter,
 * the webhook dispatcher, the logger, and the state to go back to on reset. Built by
 * `startEmulator`, handed to `createApp`.
 */
import type { RateLimiter } from "./graphql/rate-limiter.ts";
import type { RequestLog } from "./graphql/request-log.ts";
import type { ServerFaults } from "./graphql/server-faults.ts";
import type { Logger } from "./logger.ts";
import type { EmulatorStore } from "./store/emulator-store.ts";
import type { EmulatorState } from "./store/state-schema.ts";
import type { WebhookDispatcher } from "./webhooks/webhook-dispatcher.ts";

export interface EmulatorRuntime {
  store: EmulatorStore;
  rateLimiter: RateLimiter;
  /** The REST (`core`) budget. */
  restRateLimiter: RateLimiter;
  requests: RequestLog;
  /** Injected 5xx answers (`POST /_emulator/server-errors`). */
  faults: ServerFaults;
  webhooks: WebhookDispatcher;
  logger: Logger;
  /** Accepted API tokens; empty accepts any. */
  tokens: readonly string[];
  /** Login that GraphQL writes are attributed to. */
  actor: string;
  /** What `POST /_emulator/reset` restores; replaced when a new seed is loaded. */
  baseline: EmulatorState;
  /** The emulator's own base URL, once it listens (linked repos' push hooks call it). */
  url: string;
}
