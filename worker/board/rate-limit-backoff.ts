/**
 * Backing off instead of failing when GitHub rate-limits a call: a 403/429 with
 * `retry-after` or the secondary-limit message, or a GraphQL `RATE_LIMITED` error. Honours
 * `retry-after` (or the reset of an exhausted window), else waits exponentially from 1 s,
 * capped, for a bounded number of attempts. Used by the board client and the App auth.
 */
import { z } from "zod";
import { RateLimitedError } from "./board-errors.ts";

export type RetryPolicy = {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A wait longer than this (an exhausted hourly window) fails at once instead. */
  maxWaitMs: number;
};

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxWaitMs: 120_000,
};

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export type RateLimitSignal = { limited: false } | { limited: true; retryAfterMs: number | null };

const HeaderRecord = z.record(z.string(), z.unknown());
const HttpError = z.object({
  status: z.number(),
  message: z.string(),
  response: z.object({ headers: HeaderRecord, data: z.unknown().optional() }).optional(),
});
const GraphqlError = z.object({
  errors: z.array(z.object({ type: z.string().optional(), message: z.string().optional() })),
  headers: HeaderRecord.optional(),
});
const MessageBody = z.object({ message: z.string() });

const SECONDARY = /secondary rate limit|abuse detection|rate limit exceeded/i;

function header(headers: Record<string, unknown> | undefined, name: string): string | null {
  const value = headers?.[name];
  return typeof value === "string" || typeof value === "number" ? String(value) : null;
}

/** How long the headers say to wait: `retry-after`, else the reset of an exhausted window. */
function waitFromHeaders(headers: Record<string, unknown> | undefined, now: number): number | null {
  const retryAfter = Number(header(headers, "retry-after") ?? Number.NaN);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000;
  const reset = Number(header(headers, "x-ratelimit-reset") ?? Number.NaN);
  if (header(headers, "x-ratelimit-remaining") === "0" && Number.isFinite(reset)) {
    return Math.max(0, reset * 1000 - now) + 1000;
  }
  return null;
}

/** Whether `error` (from @octokit/graphql or fetch) is a rate limit, and for how long. */
export function rateLimitSignal(error: unknown, now: number): RateLimitSignal {
  const graphql = GraphqlError.safeParse(error);
  if (graphql.success && graphql.data.errors.some((entry) => entry.type === "RATE_LIMITED")) {
    return { limited: true, retryAfterMs: waitFromHeaders(graphql.data.headers, now) };
  }
  const http = HttpError.safeParse(error);
  if (!http.success || (http.data.status !== 403 && http.data.status !== 429)) return { limited: false };
  const headers = http.data.response?.headers;
  const body = MessageBody.safeParse(http.data.response?.data);
  const message = `${http.data.message} ${body.success ? body.data.message : ""}`;
  const wait = waitFromHeaders(headers, now);
  if (http.data.status === 429 || wait !== null || SECONDARY.test(message)) {
    return { limited: true, retryAfterMs: wait };
  }
  return { limited: false };
}

/** Runs `call`, sleeping and retrying while it is rate limited. Other errors pass through. */
export async function withBackoff<T>(
  operation: string,
  call: () => Promise<T>,
  options: { policy: RetryPolicy; sleep: Sleep; now: () => number },
): Promise<T> {
  const { policy, sleep, now } = options;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const signal = rateLimitSignal(error, now());
      if (!signal.limited) throw error;
      const delay =
        signal.retryAfterMs ?? Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
      if (attempt >= policy.maxAttempts || delay > policy.maxWaitMs) {
        throw new RateLimitedError(operation, attempt, signal.retryAfterMs === null ? null : now() + delay, {
          cause: error,
        });
      }
      await sleep(delay);
    }
  }
}
