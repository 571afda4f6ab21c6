/**
 * The GraphQL budget as the board client sees it: every call's charged points and what is
 * left, from the `rateLimit` object when a document selects it, else from GitHub's
 * `x-ratelimit-*` headers (mutations cannot select `rateLimit`). The dashboard reads it.
 */
import type { RateLimit } from "./responses.ts";

export type Budget = {
  limit: number | null;
  remaining: number | null;
  used: number | null;
  /** ISO time the hourly window resets. */
  resetAt: string | null;
  lastCost: number;
  totalCost: number;
  calls: number;
};

export type HeaderSnapshot = { limit: number; remaining: number; used: number; resetAt: string };

const readNumber = (headers: Headers, name: string): number | null => {
  const value = headers.get(name);
  if (value === null || value.trim() === "") return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
};

/** The `x-ratelimit-*` headers of one response, when all are there. */
export function rateLimitHeaders(headers: Headers): HeaderSnapshot | null {
  const limit = readNumber(headers, "x-ratelimit-limit");
  const remaining = readNumber(headers, "x-ratelimit-remaining");
  const used = readNumber(headers, "x-ratelimit-used");
  const reset = readNumber(headers, "x-ratelimit-reset");
  if (limit === null || remaining === null || reset === null) return null;
  return { limit, remaining, used: used ?? limit - remaining, resetAt: new Date(reset * 1000).toISOString() };
}

export class BudgetMeter {
  #state: Budget = {
    limit: null,
    remaining: null,
    used: null,
    resetAt: null,
    lastCost: 0,
    totalCost: 0,
    calls: 0,
  };

  /** Records one finished call: `rateLimit` from the body wins over the headers. */
  record(rateLimit: RateLimit | null | undefined, headers: HeaderSnapshot | null): void {
    const previous = this.#state;
    let cost: number;
    if (rateLimit !== null && rateLimit !== undefined) {
      cost = rateLimit.cost;
      this.#state = { ...previous, ...pick(rateLimit) };
    } else if (headers !== null) {
      const sameWindow = previous.resetAt === headers.resetAt && previous.used !== null;
      // Without `rateLimit` the charge is the growth of `used`; a new window or a first call counts 1.
      cost = sameWindow ? Math.max(0, headers.used - (previous.used ?? headers.used)) : 1;
      this.#state = { ...previous, ...headers };
    } else {
      cost = 1;
    }
    this.#state = {
      ...this.#state,
      lastCost: cost,
      totalCost: this.#state.totalCost + cost,
      calls: this.#state.calls + 1,
    };
  }

  snapshot(): Budget {
    return { ...this.#state };
  }
}

const pick = (rateLimit: RateLimit): Pick<Budget, "limit" | "remaining" | "used" | "resetAt"> => ({
  limit: rateLimit.limit,
  remaining: rateLimit.remaining,
  used: rateLimit.used,
  resetAt: rateLimit.resetAt,
});
