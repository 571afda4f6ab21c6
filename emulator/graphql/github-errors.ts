/**
 * Shapes GraphQL errors the way GitHub's API returns them: `type` at the top level
 * (NOT_FOUND, MISSING_PAGINATION_BOUNDARIES, …), `path`, `locations`, and GitHub's wording
 * for unknown fields. Used by the GraphQL route for every error it answers with.
 */
import type { GraphQLError } from "graphql";
import { StoreError } from "../store/store-events.ts";

export interface GitHubErrorBody {
  type?: string;
  path?: (string | number)[];
  locations?: { line: number; column: number }[];
  extensions?: Record<string, unknown>;
  message: string;
}

const undefinedField = /^Cannot query field "(\w+)" on type "(\w+)"\./;

export function formatError(error: GraphQLError, operationType?: string): GitHubErrorBody {
  const body: GitHubErrorBody = { message: error.message };
  const original = error.originalError;
  const type = original instanceof StoreError ? original.type : error.extensions["type"];
  if (typeof type === "string") body.type = type;
  if (error.path !== undefined) body.path = [...error.path];
  if (error.locations !== undefined)
    body.locations = error.locations.map(({ line, column }) => ({ line, column }));
  const unknown = undefinedField.exec(error.message);
  if (unknown !== null) {
    const [, fieldName = "", typeName = ""] = unknown;
    body.message = `Field '${fieldName}' doesn't exist on type '${typeName}'`;
    body.extensions = { code: "undefinedField", typeName, fieldName };
    if (operationType !== undefined && body.path === undefined) body.path = [operationType];
  }
  return body;
}
