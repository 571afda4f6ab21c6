/**
 * Injected server errors, as GitHub answers now and then: the next N API requests (GraphQL,
 * REST or both) answer 500/502/503/504. `afterWrite` lets the request run first and loses
 * only its answer, as a gateway timeout after the write landed does. Set by the admin API's
 * `POST /_emulator/server-errors`; checked by middleware on the API routes.
 */
import type { MiddlewareHandler } from "hono";

export type FaultStatus = 500 | 502 | 503 | 504;
export type FaultResource = "graphql" | "core" | "any";

export interface ServerFault {
  requests: number;
  status: FaultStatus;
  resource: FaultResource;
  afterWrite: boolean;
}

const MESSAGES: Record<FaultStatus, string> = {
  500: "Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.",
};

export class ServerFaults {
  #pending: ServerFault | null = null;
  #answered = 0;

  set(fault: ServerFault): void {
    this.#pending = fault.requests > 0 ? { ...fault } : null;
  }

  clear(): void {
    this.#pending = null;
  }

  snapshot(): { pending: ServerFault | null; answered: number } {
    return { pending: this.#pending === null ? null : { ...this.#pending }, answered: this.#answered };
  }

  /** Takes one request out of the injected fault when it applies to `resource`. */
  take(resource: "graphql" | "core"): ServerFault | null {
    const fault = this.#pending;
    if (fault === null || (fault.resource !== "any" && fault.resource !== resource)) return null;
    fault.requests -= 1;
    if (fault.requests <= 0) this.#pending = null;
    this.#answered += 1;
    return fault;
  }

  /** Middleware for one API resource: answers the fault's status before or after the route. */
  middleware(resource: "graphql" | "core"): MiddlewareHandler {
    return async (c, next) => {
      const fault = this.take(resource);
      if (fault === null) return next();
      if (fault.afterWrite) await next();
      const body = { message: MESSAGES[fault.status], documentation_url: "https://docs.github.com" };
      // A fresh response: the route's answer (if it ran) is lost, as behind a failing gateway.
      c.res = new Response(JSON.stringify(body), {
        status: fault.status,
        headers: { "content-type": "application/json; charset=utf-8" },
      });
      return c.res;
    };
  }
}
