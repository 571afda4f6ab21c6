/**
 * GitHub's GraphQL schema as the emulator validates and executes against: the npm
 * introspection (@octokit/graphql-schema) with the patches of `schema-patches.ts`, built
 * once per process with `buildClientSchema` (the SDL copy has a duplicate definition).
 */
import { schema as octokitSchema } from "@octokit/graphql-schema";
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";
import { patchIntrospection } from "./schema-patches.ts";

function isIntrospection(value: unknown): value is IntrospectionQuery {
  if (typeof value !== "object" || value === null || !("__schema" in value)) return false;
  const schema: unknown = value.__schema;
  return typeof schema === "object" && schema !== null && "types" in schema && Array.isArray(schema.types);
}

let cached: GraphQLSchema | undefined;

export function githubSchema(): GraphQLSchema {
  if (cached !== undefined) return cached;
  const parsed: unknown = octokitSchema.json;
  if (!isIntrospection(parsed))
    throw new Error("@octokit/graphql-schema's schema.json is not an introspection result");
  cached = buildClientSchema(patchIntrospection(parsed));
  return cached;
}
