/**
 * What every REST route does first, as GitHub does: the token check (401 `Bad credentials`),
 * then one request charged to the `core` budget with the `x-ratelimit-*` headers, or 403
 * once it is spent. Also GitHub's REST error body (`message`, `documentation_url`, `status`).
 * Used by the hook-delivery and repository REST routes.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { EmulatorRuntime } from "../runtime.ts";
import { badCredentials, isAuthorized } from "./auth.ts";

export function restGuard(runtime: EmulatorRuntime, docs: string): MiddlewareHandler {
  return async (c, next) => {
    if (!isAuthorized(c, { tokens: runtime.tokens })) return badCredentials(c, docs);
    const limiter = runtime.restRateLimiter;
    const charge = limiter.charge(1);
    for (const [key, value] of Object.entries(limiter.headers(charge.budget))) c.header(key, value);
    if (!charge.ok)
      return c.json(
        {
          message:
            "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.",
          documentation_url:
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits",
          status: "403",
        },
        403,
      );
    return next();
  };
}

export function restError(
  c: Context,
  status: ContentfulStatusCode,
  message: string,
  docs: string,
  extra: Record<string, unknown> = {},
): Response {
  return c.json({ message, ...extra, documentation_url: docs, status: String(status) }, status);
}
