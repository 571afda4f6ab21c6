/**
 * The GraphQL budget as the board client sees it: every call's charged points and what is
 * left, from the `rateLimit` object when a document selects it, else from GitHub's
 * `x-ratelimit-*` headers (mutations cannot select `rateLimit`), with points and calls per
 * kind of operation. The dashboard and the bench read it; a Durable Object keeps it across
 * restarts by seeding a meter with its last snapshot.
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
  /** Points and calls per kind of operation ("claim", "scan items", ...). */
  byKind: Record<string, { calls: number; points: number }>;
  /** Epoch ms of the last call recorded (which observation of `remaining` is freshest). */
  observedAt: number | null;
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

export function emptyBudget(): Budget {
  return {
    limit: null,
    remaining: null,
    used: null,
    resetAt: null,
    lastCost: 0,
    totalCost: 0,
    calls: 0,
    byKind: {},
    observedAt: null,
  };
}

export class BudgetMeter {
  #state: Budget;
  readonly #onRecord: ((budget: Budget) => void) | undefined;

  constructor(initial: Budget = emptyBudget(), onRecord?: (budget: Budget) => void) {
    this.#state = { ...emptyBudget(), ...initial, byKind: { ...initial.byKind } };
    this.#onRecord = onRecord;
  }

  /** Records one finished call: `rateLimit` from the body wins over the headers. */
  record(
    kind: string,
    rateLimit: RateLimit | null | undefined,
    headers: HeaderSnapshot | null,
    now: number = Date.now(),
  ): void {
    const previous = this.#state;
    let cost: number;
    if (rateLimit !== null && rateLimit !== undefined) {
      cost = rateLimit.cost;
      this.#state = { ...previous, ...pick(rateLimit) };
    } else {
      // A mutation cannot select `rateLimit`; ours select no connection, so GitHub charges 1.
      // (The growth of `used` would also count what other clients of the same budget spent.)
      cost = 1;
      if (headers !== null) this.#state = { ...previous, ...headers };
    }
    const spent = this.#state.byKind[kind] ?? { calls: 0, points: 0 };
    this.#state = {
      ...this.#state,
      lastCost: cost,
      totalCost: this.#state.totalCost + cost,
      calls: this.#state.calls + 1,
      byKind: { ...this.#state.byKind, [kind]: { calls: spent.calls + 1, points: spent.points + cost } },
      observedAt: now,
    };
    this.#onRecord?.(this.snapshot());
  }

  snapshot(): Budget {
    return { ...this.#state, byKind: { ...this.#state.byKind } };
  }
}

const pick = (rateLimit: RateLimit): Pick<Budget, "limit" | "remaining" | "used" | "resetAt"> => ({
  limit: rateLimit.limit,
  remaining: rateLimit.remaining,
  used: rateLimit.used,
  resetAt: rateLimit.resetAt,
});

/**
 * The workspace's budget from several meters (the supervisor's and each RepoQueue's): what
 * is left as the freshest call saw it, and the points spent summed by kind of operation.
 */
export function combineBudgets(budgets: ReadonlyArray<Budget | null>): Budget {
  const present = budgets.filter((budget): budget is Budget => budget !== null);
  const freshest = present
    .filter((budget) => budget.observedAt !== null)
    .sort((a, b) => (b.observedAt ?? 0) - (a.observedAt ?? 0))[0];
  const byKind: Budget["byKind"] = {};
  for (const budget of present) {
    for (const [kind, spent] of Object.entries(budget.byKind)) {
      const sum = byKind[kind] ?? { calls: 0, points: 0 };
      byKind[kind] = { calls: sum.calls + spent.calls, points: sum.points + spent.points };
    }
  }
  return {
    ...emptyBudget(),
    ...(freshest === undefined
      ? {}
      : {
          limit: freshest.limit,
          remaining: freshest.remaining,
          used: freshest.used,
          resetAt: freshest.resetAt,
          lastCost: freshest.lastCost,
          observedAt: freshest.observedAt,
        }),
    totalCost: present.reduce((sum, budget) => sum + budget.totalCost, 0),
    calls: present.reduce((sum, budget) => sum + budget.calls, 0),
    byKind,
  };
}
