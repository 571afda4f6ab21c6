/**
 * Where the npm schema (@octokit/graphql-schema 15.26.1) lags GitHub's live API, these
 * patches add what GitHub serves: issue dependencies and `ProjectV2.items(query:)`
 * (dependency-patches.ts), assignable actors and Copilot assignment (assignment-patches.ts),
 * bot review requests (review-patches.ts). They edit the introspection JSON (SDL extensions
 * cannot add arguments) and skip whatever already exists. Used by github-schema.ts.
 */
import type { IntrospectionQuery, IntrospectionType } from "graphql";
import { assignmentPatch } from "./assignment-patches.ts";
import { dependencyPatch } from "./dependency-patches.ts";
import type { SchemaPatch } from "./introspection-builders.ts";
import { reviewPatch } from "./review-patches.ts";

function missing<T extends { name: string }>(existing: readonly T[], extra: readonly T[] = []): T[] {
  return extra.filter((e) => !existing.some((x) => x.name === e.name));
}

function patchType(type: IntrospectionType, patch: SchemaPatch): IntrospectionType {
  switch (type.kind) {
    case "OBJECT":
    case "INTERFACE": {
      const fields = type.fields.map((f) => {
        const args = missing(f.args, patch.args[`${type.name}.${f.name}`]);
        return args.length === 0 ? f : { ...f, args: [...f.args, ...args] };
      });
      return { ...type, fields: [...fields, ...missing(fields, patch.fields[type.name])] };
    }
    case "INPUT_OBJECT":
      return {
        ...type,
        inputFields: [...type.inputFields, ...missing(type.inputFields, patch.inputFields[type.name])],
      };
    case "ENUM":
      return {
        ...type,
        enumValues: [...type.enumValues, ...missing(type.enumValues, patch.enumValues[type.name])],
      };
    default:
      return type;
  }
}

function merge(patches: readonly SchemaPatch[]): SchemaPatch {
  const all: SchemaPatch = { types: [], fields: {}, inputFields: {}, args: {}, enumValues: {} };
  for (const p of patches) {
    all.types.push(...p.types);
    for (const key of ["fields", "inputFields", "args", "enumValues"] as const) {
      const into: Record<string, unknown[]> = all[key];
      for (const [name, list] of Object.entries(p[key])) into[name] = [...(into[name] ?? []), ...list];
    }
  }
  return all;
}

/** Returns a patched copy; the input is not modified. */
export function patchIntrospection(introspection: IntrospectionQuery): IntrospectionQuery {
  const patch = merge([dependencyPatch(), assignmentPatch(), reviewPatch()]);
  const existing = introspection.__schema.types;
  const types = [...existing.map((t) => patchType(t, patch)), ...missing(existing, patch.types)];
  return { __schema: { ...introspection.__schema, types } };
}
