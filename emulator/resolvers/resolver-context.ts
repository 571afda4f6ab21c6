/**
 * What every resolver can reach: the store, the login the request acts as, and the rate
 * limit figures of this request (for the `rateLimit` field). Built per request by the
 * GraphQL route; also how resolvers raise GitHub-typed errors (`githubError`).
 */
import { GraphQLError } from "graphql";
import type { EmulatorStore } from "../store/emulator-store.ts";

export interface RateLimitView {
  cost: number;
  limit: number;
  remaining: number;
  used: number;
  resetAt: string;
  nodeCount: number;
}

export interface ResolverContext {
  store: EmulatorStore;
  actor: string;
  rateLimit: RateLimitView;
}

/** A resolver error carrying GitHub's error `type` (NOT_FOUND, UNPROCESSABLE, …). */
export function githubError(type: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { type } });
}
