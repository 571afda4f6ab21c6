/**
 * One of GitHub's primary budgets for the emulator's one client: GraphQL points or REST
 * (`core`) requests per hour (default 5,000), charged per request, the `x-ratelimit-*`
 * headers, and test hooks to exhaust the budget or force the next N requests into a
 * secondary rate limit. Used by the GraphQL route and the REST guard.
 */

export interface SecondaryLimit {
  remainingRequests: number;
  retryAfterSeconds: number;
  status: 403 | 429;
}

export interface BudgetSnapshot {
  limit: number;
  used: number;
  remaining: number;
  /** Epoch seconds. */
  reset: number;
}

export class RateLimiter {
  #limit: number;
  #used = 0;
  #resetAtMs: number;
  #secondary: SecondaryLimit | null = null;
  readonly #now: () => number;
  readonly resource: "graphql" | "core";

  constructor(limit = 5_000, now: () => number = Date.now, resource: "graphql" | "core" = "graphql") {
    this.#limit = limit;
    this.#now = now;
    this.resource = resource;
    this.#resetAtMs = now() + 3_600_000;
  }

  #roll(): void {
    const now = this.#now();
    if (now >= this.#resetAtMs) {
      this.#used = 0;
      this.#resetAtMs = now + 3_600_000;
    }
  }

  snapshot(): BudgetSnapshot {
    this.#roll();
    return {
      limit: this.#limit,
      used: this.#used,
      remaining: Math.max(0, this.#limit - this.#used),
      reset: Math.ceil(this.#resetAtMs / 1000),
    };
  }

  /** Charges `cost` points, or refuses (charging nothing) when the budget cannot cover it. */
  charge(cost: number): { ok: boolean; budget: BudgetSnapshot } {
    const before = this.snapshot();
    if (cost > before.remaining) return { ok: false, budget: before };
    this.#used += cost;
    return { ok: true, budget: this.snapshot() };
  }

  /** Takes one request out of a forced secondary limit, if one is in force. */
  takeSecondary(): SecondaryLimit | null {
    const secondary = this.#secondary;
    if (secondary === null) return null;
    secondary.remainingRequests -= 1;
    if (secondary.remainingRequests <= 0) this.#secondary = null;
    return secondary;
  }

  forceSecondary(requests: number, retryAfterSeconds = 1, status: 403 | 429 = 403): void {
    this.#secondary = requests > 0 ? { remainingRequests: requests, retryAfterSeconds, status } : null;
  }

  /** Test hook: set the limit and/or what is left of the current window. */
  configure(options: { limit?: number; remaining?: number; resetInSeconds?: number }): void {
    if (options.limit !== undefined) this.#limit = options.limit;
    if (options.remaining !== undefined) this.#used = Math.max(0, this.#limit - options.remaining);
    if (options.resetInSeconds !== undefined) this.#resetAtMs = this.#now() + options.resetInSeconds * 1000;
  }

  reset(): void {
    this.#used = 0;
    this.#secondary = null;
    this.#resetAtMs = this.#now() + 3_600_000;
  }

  headers(budget: BudgetSnapshot = this.snapshot()): Record<string, string> {
    return {
      "x-ratelimit-limit": String(budget.limit),
      "x-ratelimit-remaining": String(budget.remaining),
      "x-ratelimit-used": String(budget.used),
      "x-ratelimit-reset": String(budget.reset),
      "x-ratelimit-resource": this.resource,
    };
  }
}
