/**
 * The emulator's HTTP surface as one Hono app: `POST /graphql`, the org hook deliveries
 * REST API under `/orgs`, the repository REST API the Worker uses under `/repos`, and the
 * admin controls under `/_emulator`. Maps refusals to status codes in one place. Built by
 * `startEmulator`.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { graphqlHandler } from "./graphql/graphql-route.ts";
import { adminRoutes } from "./routes/admin-routes.ts";
import { hookDeliveryRoutes } from "./routes/hook-delivery-routes.ts";
import { pullAdminRoutes } from "./routes/pull-admin-routes.ts";
import { restRoutes } from "./routes/rest-routes.ts";
import type { EmulatorRuntime } from "./runtime.ts";
import { githubSchema } from "./schema/github-schema.ts";
import { SeedError } from "./seed/seed-to-state.ts";
import { StoreError } from "./store/store-events.ts";

export function createApp(runtime: EmulatorRuntime): Hono {
  const app = new Hono();
  app.use("/graphql", runtime.faults.middleware("graphql"));
  app.use("/orgs/*", runtime.faults.middleware("core"));
  app.use("/repos/*", runtime.faults.middleware("core"));
  app.post(
    "/graphql",
    graphqlHandler({
      schema: githubSchema(),
      store: () => runtime.store,
      rateLimiter: runtime.rateLimiter,
      requests: runtime.requests,
      logger: runtime.logger,
      actor: runtime.actor,
      tokens: runtime.tokens,
    }),
  );
  app.route("/orgs", hookDeliveryRoutes(runtime));
  app.route("/repos", restRoutes(runtime));
  app.route("/_emulator", adminRoutes(runtime));
  app.route("/_emulator", pullAdminRoutes(runtime));
  app.notFound((c) =>
    c.json({ message: "Not Found", documentation_url: "https://docs.github.com/rest" }, 404),
  );
  app.onError((error, c) => {
    if (error instanceof HTTPException) return c.json({ error: error.message }, error.status);
    if (error instanceof SeedError) return c.json({ error: "Invalid seed", problems: error.problems }, 400);
    if (error instanceof StoreError)
      return c.json({ error: error.message }, error.type === "NOT_FOUND" ? 404 : 422);
    runtime.logger("http.error", { path: c.req.path, message: error.message });
    return c.json({ error: "Internal emulator error" }, 500);
  });
  return app;
}
