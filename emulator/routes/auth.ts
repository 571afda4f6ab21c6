/**
 * GitHub's token check for the GraphQL and REST routes: `Authorization: bearer <token>` or
 * `token <token>`; anything else is 401 `Bad credentials`. When the emulator is given a
 * token list only those tokens pass; otherwise any non-empty token does.
 */
import type { Context } from "hono";

export interface AuthOptions {
  /** Accepted tokens; empty or absent accepts any. */
  tokens?: readonly string[];
}

export function tokenOf(header: string | undefined): string | null {
  const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] ?? null;
}

export function isAuthorized(c: Context, options: AuthOptions): boolean {
  const token = tokenOf(c.req.header("authorization"));
  if (token === null) return false;
  return options.tokens === undefined || options.tokens.length === 0 || options.tokens.includes(token);
}

export function badCredentials(c: Context, docs = "https://docs.github.com/graphql"): Response {
  return c.json({ message: "Bad credentials", documentation_url: docs, status: "401" }, 401);
}
