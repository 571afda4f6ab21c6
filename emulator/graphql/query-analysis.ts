/**
 * GitHub's own rules on a valid document, checked statically as GitHub does before running
 * it: every connection needs `first` or `last` (0-100), at most 500,000 nodes, and the
 * point cost (requests per connection assuming full pages, /100, rounded, at least 1;
 * a mutation costs 1). Used by the GraphQL route before execution.
 */
import {
  getArgumentValues,
  getNamedType,
  GraphQLError,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

export const MAX_PAGE_SIZE = 100;
export const MAX_NODES = 500_000;

export interface QueryAnalysis {
  errors: GraphQLError[];
  cost: number;
  nodeCount: number;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  errors: GraphQLError[];
  requests: number;
  nodes: number;
}

function typedError(type: string, message: string, node: FieldNode, path: readonly string[]): GraphQLError {
  return new GraphQLError(message, { nodes: [node], path: [...path], extensions: { type } });
}

/** The page size a connection asks for, or an error as GitHub words it. */
function pageSize(
  walk: Walk,
  node: FieldNode,
  args: Record<string, unknown>,
  path: readonly string[],
): number {
  const name = node.name.value;
  const first = typeof args["first"] === "number" ? args["first"] : null;
  const last = typeof args["last"] === "number" ? args["last"] : null;
  if (first === null && last === null) {
    walk.errors.push(
      typedError(
        "MISSING_PAGINATION_BOUNDARIES",
        `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`,
        node,
        path,
      ),
    );
    return MAX_PAGE_SIZE;
  }
  if (first !== null && last !== null) {
    walk.errors.push(
      typedError(
        "EXCESSIVE_PAGINATION",
        `Passing both \`first\` and \`last\` to paginate the \`${name}\` connection is not supported.`,
        node,
        path,
      ),
    );
  }
  const [argName, size] = first !== null ? (["first", first] as const) : (["last", last ?? 0] as const);
  if (size > MAX_PAGE_SIZE) {
    walk.errors.push(
      typedError(
        "EXCESSIVE_PAGINATION",
        `Requesting ${size} records on the \`${name}\` connection exceeds the \`${argName}\` limit of ${MAX_PAGE_SIZE} records.`,
        node,
        path,
      ),
    );
    return MAX_PAGE_SIZE;
  }
  if (size < 0) {
    walk.errors.push(
      typedError(
        "INVALID_ARGUMENTS",
        `\`${argName}\` on the \`${name}\` connection cannot be less than zero.`,
        node,
        path,
      ),
    );
    return 0;
  }
  return size;
}

function visit(
  walk: Walk,
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  multiplier: number,
  path: readonly string[],
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === "InlineFragment") {
      const condition = selection.typeCondition
        ? walk.schema.getType(selection.typeCondition.name.value)
        : parent;
      if (condition && isCompositeType(condition))
        visit(walk, selection.selectionSet, condition, multiplier, path);
      continue;
    }
    if (selection.kind === "FragmentSpread") {
      const fragment = walk.fragments.get(selection.name.value);
      const condition = fragment ? walk.schema.getType(fragment.typeCondition.name.value) : undefined;
      if (fragment && condition && isCompositeType(condition))
        visit(walk, fragment.selectionSet, condition, multiplier, path);
      continue;
    }
    if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
    const def = parent.getFields()[selection.name.value];
    if (def === undefined || selection.selectionSet === undefined) continue;
    const fieldPath = [...path, selection.alias?.value ?? selection.name.value];
    const returned = getNamedType(def.type);
    let childMultiplier = multiplier;
    const isConnection = returned.name.endsWith("Connection") && def.args.some((a) => a.name === "first");
    if (isConnection) {
      const args = getArgumentValues(def, selection, walk.variables);
      const size = pageSize(walk, selection, args, fieldPath);
      walk.requests += multiplier;
      walk.nodes += multiplier * size;
      childMultiplier = multiplier * size;
      if (
        walk.nodes > MAX_NODES &&
        !walk.errors.some((e) => e.extensions["type"] === "MAX_NODE_LIMIT_EXCEEDED")
      ) {
        walk.errors.push(
          typedError(
            "MAX_NODE_LIMIT_EXCEEDED",
            `By the time this query traverses to the ${selection.name.value} connection, it is requesting up to ${walk.nodes.toLocaleString("en-US")} possible nodes which exceeds the maximum limit of ${MAX_NODES.toLocaleString("en-US")}.`,
            selection,
            fieldPath,
          ),
        );
      }
    }
    if (isCompositeType(returned)) visit(walk, selection.selectionSet, returned, childMultiplier, fieldPath);
  }
}

export function analyzeOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: readonly FragmentDefinitionNode[],
  variables: Record<string, unknown>,
): QueryAnalysis {
  const root = schema.getRootType(operation.operation);
  const walk: Walk = {
    schema,
    fragments: new Map(fragments.map((f) => [f.name.value, f])),
    variables,
    errors: [],
    requests: 0,
    nodes: 0,
  };
  if (root) visit(walk, operation.selectionSet, root, 1, [operation.operation]);
  const cost = operation.operation === "mutation" ? 1 : Math.max(1, Math.round(walk.requests / 100));
  return { errors: walk.errors, cost, nodeCount: walk.nodes };
}
