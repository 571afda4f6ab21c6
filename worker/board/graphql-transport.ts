/**
 * One GraphQL call as the board client makes it: @octokit/graphql against the configured
 * API host, auth added per request (a token, or an App installation token), the charge and
 * budget recorded, rate limits backed off, the answer parsed with zod, failures turned into
 * the board's own errors. Pure apart from `fetch`; runs in Workers and Node.
 */
import { graphql, GraphqlResponseError } from "@octokit/graphql";
import type { z } from "zod";
import { BoardRequestError, BoardResponseError, RateLimitedError } from "./board-errors.ts";
import { BudgetMeter, rateLimitHeaders } from "./api-budget.ts";
import type { Budget, HeaderSnapshot } from "./api-budget.ts";
import { emptyBudget } from "./api-budget.ts";
import { withBackoff } from "./rate-limit-backoff.ts";
import type { RetryPolicy, Sleep } from "./rate-limit-backoff.ts";
import { RateLimit } from "./responses.ts";

export const GITHUB_API_URL = "https://api.github.com";

export type TransportOptions = {
  /** REST base URL (`GITHUB_API_URL`); GitHub Enterprise's `/api/v3` maps to `/api/graphql`. */
  apiUrl: string;
  authorization: () => Promise<string>;
  fetch: typeof fetch;
  sleep: Sleep;
  now: () => number;
  retry: RetryPolicy;
  userAgent: string;
  /** The meter's last snapshot (kept by a Durable Object across restarts), and a listener. */
  budget?: Budget;
  onBudget?: (budget: Budget) => void;
};

/** Where GraphQL lives for a REST base URL. */
export function graphqlUrl(apiUrl: string): string {
  const base = apiUrl.replace(/\/+$/, "");
  return /\/api\/v3$/.test(base) ? base.replace(/\/api\/v3$/, "/api/graphql") : `${base}/graphql`;
}

const RateLimitOnly = RateLimit.nullish();

/** One entry of a GraphQL answer's `errors`, as far as callers look at it. */
export type GraphqlFieldError = { type?: string; message?: string; path?: ReadonlyArray<string | number> };

export class GraphqlTransport {
  readonly #options: TransportOptions;
  readonly #meter: BudgetMeter;
  readonly #graphql: typeof graphql;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#meter = new BudgetMeter(options.budget ?? emptyBudget(), options.onBudget);
    this.#graphql = graphql.defaults({
      baseUrl: options.apiUrl.replace(/\/+$/, ""),
      url: graphqlUrl(options.apiUrl),
      headers: { "user-agent": options.userAgent },
    });
  }

  budget(): Budget {
    return this.#meter.snapshot();
  }

  /**
   * Runs `query` and parses its data with `schema`. `acceptErrors` lets a caller take the
   * partial data of an answer whose errors it expects (e.g. NOT_FOUND for unknown issues).
   */
  async call<S extends z.ZodType>(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    schema: S,
    acceptErrors?: (errors: ReadonlyArray<GraphqlFieldError>) => boolean,
  ): Promise<z.infer<S>> {
    const data = await withBackoff(
      operation,
      () => this.#attempt(operation, query, variables, acceptErrors),
      {
        policy: this.#options.retry,
        sleep: this.#options.sleep,
        now: this.#options.now,
      },
    ).catch((error: unknown) => {
      throw toBoardError(operation, error);
    });
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new BoardResponseError(
        operation,
        parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".")}: ${issue.message}`),
      );
    }
    return parsed.data;
  }

  /**
   * Runs a document whose parts may fail on their own (aliased mutations): the data of the
   * parts that worked, and the errors of those that did not. Rate limits still back off.
   */
  async callPartial<S extends z.ZodType>(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    schema: S,
  ): Promise<{ data: z.infer<S>; errors: GraphqlFieldError[] }> {
    let errors: GraphqlFieldError[] = [];
    const data = await this.call(operation, query, variables, schema, (seen) => {
      errors = [...seen];
      return seen.every((error) => error.type !== "RATE_LIMITED");
    });
    return { data, errors };
  }

  /**
   * A REST call on the same host, with the same auth and rate-limit backoff (the org hook's
   * deliveries). REST has its own budget, so nothing is recorded in the GraphQL meter.
   * Returns the parsed body and the `link` header (for cursor pagination).
   */
  async rest<S extends z.ZodType>(
    operation: string,
    method: "GET" | "POST" | "DELETE",
    path: string,
    schema: S,
  ): Promise<{ data: z.infer<S>; link: string | null }> {
    const url = `${this.#options.apiUrl.replace(/\/+$/, "")}${path}`;
    const attempt = async (): Promise<{ body: unknown; link: string | null }> => {
      const response = await this.#options.fetch(url, {
        method,
        headers: {
          authorization: await this.#options.authorization(),
          accept: "application/vnd.github+json",
          "user-agent": this.#options.userAgent,
        },
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text === "" ? null : JSON.parse(text);
      } catch {
        // not JSON: keep the text for the error message
      }
      if (!response.ok) {
        // The shape of an @octokit/request error, so the shared backoff recognises rate limits.
        throw Object.assign(new Error(`${method} ${path} answered ${response.status}`), {
          status: response.status,
          response: { headers: Object.fromEntries(response.headers), data: body },
        });
      }
      return { body, link: response.headers.get("link") };
    };
    const result = await withBackoff(operation, attempt, {
      policy: this.#options.retry,
      sleep: this.#options.sleep,
      now: this.#options.now,
    }).catch((error: unknown) => {
      throw toBoardError(operation, error);
    });
    const parsed = schema.safeParse(result.body);
    if (!parsed.success) {
      throw new BoardResponseError(
        operation,
        parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".")}: ${issue.message}`),
      );
    }
    return { data: parsed.data, link: result.link };
  }

  async #attempt(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    acceptErrors: ((errors: ReadonlyArray<GraphqlFieldError>) => boolean) | undefined,
  ): Promise<unknown> {
    let headers: HeaderSnapshot | null = null;
    const authorization = await this.#options.authorization();
    const fetchWithAuth: typeof fetch = async (input, init) => {
      const request = new Headers(init?.headers);
      request.set("authorization", authorization);
      const response = await this.#options.fetch(input, { ...init, headers: request });
      headers = rateLimitHeaders(response.headers);
      return response;
    };
    let data: unknown;
    try {
      data = await this.#graphql(query, { ...variables, request: { fetch: fetchWithAuth } });
    } catch (error) {
      if (!(error instanceof GraphqlResponseError)) throw error;
      this.#meter.record(operation, rateLimitOf(error.data), headers, this.#options.now());
      if (acceptErrors === undefined || !acceptErrors(errorTypes(error.errors))) throw error;
      return error.data;
    }
    this.#meter.record(operation, rateLimitOf(data), headers, this.#options.now());
    return data;
  }
}

function rateLimitOf(data: unknown): z.infer<typeof RateLimitOnly> {
  if (typeof data !== "object" || data === null || !("rateLimit" in data)) return null;
  const parsed = RateLimitOnly.safeParse(data.rateLimit);
  return parsed.success ? parsed.data : null;
}

function errorTypes(errors: unknown): GraphqlFieldError[] {
  if (!Array.isArray(errors)) return [];
  return errors.map((entry: unknown): GraphqlFieldError => {
    if (typeof entry !== "object" || entry === null) return {};
    const out: GraphqlFieldError = {};
    if ("type" in entry && typeof entry.type === "string") out.type = entry.type;
    if ("message" in entry && typeof entry.message === "string") out.message = entry.message;
    if ("path" in entry && Array.isArray(entry.path))
      out.path = entry.path.filter((part): part is string | number =>
        ["string", "number"].includes(typeof part),
      );
    return out;
  });
}

function toBoardError(operation: string, error: unknown): Error {
  if (error instanceof RateLimitedError) return error;
  if (error instanceof GraphqlResponseError) {
    return new BoardRequestError(operation, error.message, 200, { cause: error });
  }
  if (error instanceof Error && "status" in error && typeof error.status === "number") {
    return new BoardRequestError(operation, error.message, error.status, { cause: error });
  }
  return new BoardRequestError(operation, error instanceof Error ? error.message : String(error), null, {
    cause: error,
  });
}
