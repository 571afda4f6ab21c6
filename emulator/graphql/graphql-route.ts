/**
 * `POST /graphql` as GitHub answers it: token check, body check, parse, schema validation,
 * GitHub's pagination and node limits, rate-limit charge, then execution against the
 * store with the rate-limit headers. Invalid documents get HTTP 200 with `errors`.
 */
import {
  execute,
  getVariableValues,
  parse,
  validate,
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import type { Context } from "hono";
import { z } from "zod";
import type { Logger } from "../logger.ts";
import { mutationRoot } from "../resolvers/mutation-root.ts";
import { queryRoot } from "../resolvers/query-root.ts";
import type { ResolverContext } from "../resolvers/resolver-context.ts";
import { badCredentials, isAuthorized, type AuthOptions } from "../routes/auth.ts";
import type { EmulatorStore } from "../store/emulator-store.ts";
import { formatError, type GitHubErrorBody } from "./github-errors.ts";
import { analyzeOperation } from "./query-analysis.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import type { RequestLog } from "./request-log.ts";

export interface GraphqlRouteOptions extends AuthOptions {
  schema: GraphQLSchema;
  store: () => EmulatorStore;
  rateLimiter: RateLimiter;
  requests?: RequestLog;
  logger: Logger;
  /** The login GraphQL writes are attributed to (`viewer`, webhook `sender`). */
  actor: string;
}

const Body = z.object({
  query: z.string(),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().nullish(),
});

function pickOperation(
  document: DocumentNode,
  name: string | null | undefined,
): OperationDefinitionNode | string {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (name != null) return operations.find((o) => o.name?.value === name) ?? `No operation named "${name}"`;
  if (operations.length === 1 && operations[0] !== undefined) return operations[0];
  return operations.length === 0 ? "No operations in query document" : "An operation name is required";
}

export function graphqlHandler(options: GraphqlRouteOptions) {
  return async (c: Context): Promise<Response> => {
    const started = performance.now();
    if (!isAuthorized(c, options)) return badCredentials(c);
    const limiter = options.rateLimiter;
    const secondary = limiter.takeSecondary();
    if (secondary !== null) {
      options.logger("graphql.secondary_rate_limited", { status: secondary.status });
      c.header("retry-after", String(secondary.retryAfterSeconds));
      for (const [key, value] of Object.entries(limiter.headers())) c.header(key, value);
      return c.json(
        {
          message: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${crypto.randomUUID()}.`,
          documentation_url:
            "https://docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#secondary-rate-limits",
        },
        secondary.status,
      );
    }
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      return c.json(
        { message: "Problems parsing JSON", documentation_url: "https://docs.github.com/graphql" },
        400,
      );
    }
    const body = Body.safeParse(raw);
    const answer = (errors: GitHubErrorBody[]) => {
      for (const [key, value] of Object.entries(limiter.headers())) c.header(key, value);
      options.logger("graphql.rejected", { errors: errors.map((e) => e.message).slice(0, 3) });
      return c.json({ errors }, 200);
    };
    if (!body.success)
      return answer([{ message: "A query attribute must be specified and must be a string." }]);

    let document: DocumentNode;
    try {
      document = parse(body.data.query);
    } catch (error) {
      return answer([error instanceof GraphQLError ? formatError(error) : { message: String(error) }]);
    }
    const validationErrors = validate(options.schema, document);
    const operation = pickOperation(document, body.data.operationName);
    const operationType = typeof operation === "string" ? undefined : operation.operation;
    if (validationErrors.length > 0)
      return answer(validationErrors.map((e) => formatError(e, operationType)));
    if (typeof operation === "string") return answer([{ message: operation }]);

    const coerced = getVariableValues(
      options.schema,
      operation.variableDefinitions ?? [],
      body.data.variables ?? {},
    );
    if (coerced.errors !== undefined) return answer(coerced.errors.map((e) => formatError(e)));
    const fragments = document.definitions.filter(
      (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION,
    );
    const analysis = analyzeOperation(options.schema, operation, fragments, coerced.coerced);
    if (analysis.errors.length > 0) return answer(analysis.errors.map((e) => formatError(e)));

    const charge = limiter.charge(analysis.cost);
    if (!charge.ok) {
      return answer([{ type: "RATE_LIMITED", message: "API rate limit already exceeded for user ID 1." }]);
    }
    options.requests?.add({
      at: Date.now(),
      operation: operation.name?.value ?? operation.operation,
      type: operation.operation === "mutation" ? "mutation" : "query",
      cost: analysis.cost,
    });
    const store = options.store();
    const context: ResolverContext = {
      store,
      actor: options.actor,
      rateLimit: {
        cost: analysis.cost,
        limit: charge.budget.limit,
        remaining: charge.budget.remaining,
        used: charge.budget.used,
        resetAt: new Date(charge.budget.reset * 1000).toISOString(),
        nodeCount: analysis.nodeCount,
      },
    };
    const rootValue =
      operation.operation === "mutation" ? mutationRoot(store, context) : queryRoot(store, context);
    const result = await execute({
      schema: options.schema,
      document,
      rootValue,
      contextValue: context,
      variableValues: body.data.variables ?? {},
      operationName: body.data.operationName ?? undefined,
    });
    for (const [key, value] of Object.entries(limiter.headers(charge.budget))) c.header(key, value);
    options.logger("graphql", {
      operation: operation.name?.value ?? operation.operation,
      cost: analysis.cost,
      nodes: analysis.nodeCount,
      errors: result.errors?.length ?? 0,
      ms: Math.round(performance.now() - started),
    });
    const errors = result.errors?.map((e) => formatError(e));
    return c.json(errors === undefined ? { data: result.data } : { data: result.data, errors }, 200);
  };
}
