/**
 * The operator API's shared refusals, so every route refuses alike with `{ "error": ... }`:
 * 401 without the admin token, 415 for a body that is not JSON, 400 naming the bad field,
 * 405 with `Allow` for a wrong method on a known path. Used by worker/routes/api*.ts.
 */
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { bearerToken, constantTimeEqual } from "./constant-time.ts";

export const requireAdmin: MiddlewareHandler<{ Bindings: { ADMIN_TOKEN: string } }> = async (c, next) => {
  const token = bearerToken(c.req.header("authorization"));
  if (!token || !c.env.ADMIN_TOKEN || !(await constantTimeEqual(token, c.env.ADMIN_TOKEN))) {
    throw new HTTPException(401, { message: "admin token required" });
  }
  await next();
};

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * A body must say it is JSON; anything else is 415, before it is read. A POST with no body
 * at all (`reconcile`) passes; a route that needs fields then names the first one missing.
 */
export const requireJsonBody: MiddlewareHandler = async (c, next) => {
  const type = c.req.header("content-type");
  const length = Number(c.req.header("content-length") ?? "0");
  const hasBody = length > 0 || c.req.header("transfer-encoding") !== undefined;
  const sendsBody = c.req.method !== "GET" && c.req.method !== "HEAD";
  if (sendsBody && (type !== undefined || hasBody) && !JSON_TYPE.test(type ?? "")) {
    throw new HTTPException(415, {
      message: `expected a JSON body (content-type: application/json), got ${type ?? "none"}`,
    });
  }
  await next();
};

/** zValidator's hook: the first problem, named by its path. */
export const validationError = (result: {
  success: boolean;
  error?: { issues: readonly { path: readonly PropertyKey[]; message: string }[] };
}): void => {
  if (!result.success) {
    const issue = result.error?.issues[0];
    throw new HTTPException(400, {
      message: issue ? `${issue.path.map(String).join(".") || "body"}: ${issue.message}` : "invalid body",
    });
  }
};

/** The handler for every other method on a known path. */
export function methodNotAllowed(allowed: readonly string[]) {
  return (c: Context): never => {
    c.header("allow", allowed.join(", "));
    throw new HTTPException(405, {
      message: `${c.req.method} is not allowed here; use ${allowed.join(" or ")}`,
    });
  };
}
