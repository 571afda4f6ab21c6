/**
 * Worker Factory's Worker: the Hono app (webhook intake, agent sockets, operator API, the
 * dashboard's live socket, health), the Cron Trigger handler, and the two Durable Object
 * classes. The dashboard itself is static assets (dashboard/, `[assets]` in wrangler.toml).
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { ConfigError } from "./config/workspace-config.ts";
import { loadWorkspaceConfig } from "./config/load-config.ts";
import type { AppEnv } from "./env.ts";
import { agents } from "./routes/agents.ts";
import { api } from "./routes/api.ts";
import { live } from "./routes/live.ts";
import { supervisorFor } from "./routes/stubs.ts";
import { webhooks } from "./routes/webhooks.ts";

export { RepoQueue } from "./objects/repo-queue.ts";
export { WorkspaceSupervisor } from "./objects/workspace-supervisor.ts";

export const app = new Hono<{ Bindings: AppEnv }>();

app.get("/healthz", (c) => {
  const config = loadWorkspaceConfig(c.env);
  return c.json({ status: "ok", workspace: config.workspace, repos: config.repos.length });
});
app.route("/webhooks", webhooks);
app.route("/api", api);
app.route("/agents", agents);
app.route("/live", live);

app.notFound((c) => c.json({ error: "not found" }, 404));

app.onError((error, c) => {
  if (error instanceof HTTPException) return c.json({ error: error.message }, error.status);
  if (error instanceof ConfigError) return c.json({ error: error.message }, 503);
  console.error(JSON.stringify({ event: "unhandled_error", message: error.message }));
  return c.json({ error: "internal error" }, 500);
});

export default {
  fetch: app.fetch,
  /** Reconciliation: the backstop that converges every queue to the board. */
  async scheduled(controller, env, ctx) {
    const started = Date.now();
    ctx.waitUntil(
      supervisorFor(env)
        .reconcile()
        .then((result) =>
          console.log(
            JSON.stringify({
              event: "reconciled",
              cron: controller.cron,
              ms: Date.now() - started,
              ...result,
            }),
          ),
        ),
    );
  },
} satisfies ExportedHandler<AppEnv>;
