/**
 * Small builders for introspection JSON (type references, fields, arguments, object, input,
 * enum types) and the `SchemaPatch` shape each patch module fills. Used by the modules under
 * `emulator/schema/` that add to the npm schema what GitHub serves.
 */
import type {
  IntrospectionEnumValue,
  IntrospectionField,
  IntrospectionInputTypeRef,
  IntrospectionInputValue,
  IntrospectionOutputTypeRef,
  IntrospectionType,
} from "graphql";

/** What one patch module adds; `apply` in schema-patches.ts skips anything already there. */
export interface SchemaPatch {
  types: IntrospectionType[];
  /** Fields added to object and interface types, by type name. */
  fields: Record<string, IntrospectionField[]>;
  /** Fields added to input objects, by type name. */
  inputFields: Record<string, IntrospectionInputValue[]>;
  /** Arguments added to existing fields, by `Type.field`. */
  args: Record<string, IntrospectionInputValue[]>;
  /** Values added to enums, by enum name. */
  enumValues: Record<string, IntrospectionEnumValue[]>;
}

export function emptyPatch(): SchemaPatch {
  return { types: [], fields: {}, inputFields: {}, args: {}, enumValues: {} };
}

type Kind = "SCALAR" | "OBJECT" | "INTERFACE" | "UNION" | "ENUM" | "INPUT_OBJECT";

/** An output type reference: `out("OBJECT", "Issue")`, `out("SCALAR", "String", "!")`. */
export function out(
  kind: Exclude<Kind, "INPUT_OBJECT">,
  name: string,
  shape: Shape = "",
): IntrospectionOutputTypeRef {
  return wrap({ kind, name }, shape) as IntrospectionOutputTypeRef;
}

/** An input type reference, e.g. `input("SCALAR", "ID", "[!]")` for `[ID!]`. */
export function input(
  kind: "SCALAR" | "ENUM" | "INPUT_OBJECT",
  name: string,
  shape: Shape = "",
): IntrospectionInputTypeRef {
  return wrap({ kind, name }, shape) as IntrospectionInputTypeRef;
}

interface Ref {
  kind: string;
  name?: string;
  ofType?: Ref;
}

type Shape = "" | "!" | "[]" | "[!]" | "[]!" | "[!]!";

/** GraphQL's notation around a named type: "[!]!" is NON_NULL(LIST(NON_NULL(named))). */
function wrap(named: Ref, shape: Shape): Ref {
  const nonNull = (ofType: Ref): Ref => ({ kind: "NON_NULL", ofType });
  const list = (ofType: Ref): Ref => ({ kind: "LIST", ofType });
  switch (shape) {
    case "":
      return named;
    case "!":
      return nonNull(named);
    case "[]":
      return list(named);
    case "[!]":
      return list(nonNull(named));
    case "[]!":
      return nonNull(list(named));
    case "[!]!":
      return nonNull(list(nonNull(named)));
  }
}

export function arg(
  name: string,
  type: IntrospectionInputTypeRef,
  description: string,
  defaultValue: string | null = null,
): IntrospectionInputValue {
  return { name, description, type, defaultValue, isDeprecated: false, deprecationReason: null };
}

export function field(
  name: string,
  type: IntrospectionOutputTypeRef,
  description: string,
  args: IntrospectionInputValue[] = [],
): IntrospectionField {
  return { name, description, args, type, isDeprecated: false, deprecationReason: null };
}

export function objectType(
  name: string,
  description: string,
  fields: IntrospectionField[],
  interfaces: string[] = [],
): IntrospectionType {
  return {
    kind: "OBJECT",
    name,
    description,
    fields,
    interfaces: interfaces.map((i) => ({ kind: "INTERFACE", name: i })),
  };
}

export function inputType(
  name: string,
  description: string,
  inputFields: IntrospectionInputValue[],
): IntrospectionType {
  return { kind: "INPUT_OBJECT", name, description, inputFields, isOneOf: false };
}

export function enumValue(name: string, description: string): IntrospectionEnumValue {
  return { name, description, isDeprecated: false, deprecationReason: null };
}

export function enumType(
  name: string,
  description: string,
  values: IntrospectionEnumValue[],
): IntrospectionType {
  return { kind: "ENUM", name, description, enumValues: values };
}

export const clientMutationIdArg = arg(
  "clientMutationId",
  input("SCALAR", "String"),
  "A unique identifier for the client performing the mutation.",
);

export const clientMutationIdField = field(
  "clientMutationId",
  out("SCALAR", "String"),
  "A unique identifier for the client performing the mutation.",
);

/** after/before/first/last, as every GitHub connection takes them. */
export const connectionArgs: IntrospectionInputValue[] = [
  arg(
    "after",
    input("SCALAR", "String"),
    "Returns the elements in the list that come after the specified cursor.",
  ),
  arg(
    "before",
    input("SCALAR", "String"),
    "Returns the elements in the list that come before the specified cursor.",
  ),
  arg("first", input("SCALAR", "Int"), "Returns the first _n_ elements from the list."),
  arg("last", input("SCALAR", "Int"), "Returns the last _n_ elements from the list."),
];

/** A mutation field `name(input: <Name>Input!): <Name>Payload`. */
export function mutationField(name: string, description: string): IntrospectionField {
  const typeName = name.charAt(0).toUpperCase() + name.slice(1);
  return field(name, out("OBJECT", `${typeName}Payload`), description, [
    arg("input", input("INPUT_OBJECT", `${typeName}Input`, "!"), `Parameters for ${typeName}`),
  ]);
}

/** `<Node>Connection` and `<Node>Edge` types as GitHub generates them. */
export function connectionTypes(
  node: string,
  nodeKind: "OBJECT" | "INTERFACE" | "UNION",
  description: string,
): IntrospectionType[] {
  return [
    objectType(`${node}Connection`, description, [
      field("edges", out("OBJECT", `${node}Edge`, "[]"), "A list of edges."),
      field("nodes", out(nodeKind, node, "[]"), "A list of nodes."),
      field("pageInfo", out("OBJECT", "PageInfo", "!"), "Information to aid in pagination."),
      field(
        "totalCount",
        out("SCALAR", "Int", "!"),
        "Identifies the total count of items in the connection.",
      ),
    ]),
    objectType(`${node}Edge`, "An edge in a connection.", [
      field("cursor", out("SCALAR", "String", "!"), "A cursor for use in pagination."),
      field("node", out(nodeKind, node), "The item at the end of the edge."),
    ]),
  ];
}
