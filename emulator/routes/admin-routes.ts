/**
 * Test and demo controls under `/_emulator/`: load a seed, dump or reset state, edit an
 * item's field by name as a person would (which sends the webhook), close/reopen issues,
 * add an issue with its item, force rate limits or 5xx answers, point webhooks somewhere,
 * and read or flush the delivery log. The pull-request loop's are in pull-admin-routes.ts. Bodies are
 * checked with zod; refusals are 4xx.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import type { EmulatorRuntime } from "../runtime.ts";
import { body } from "./json-body.ts";
import { seedToState } from "../seed/seed-to-state.ts";
import { valueFromHuman } from "../store/field-values.ts";
import type { Issue, Item, Project } from "../store/state-schema.ts";

const Ref = /^([\w.-]+\/[\w.-]+)#(\d+)$/;
const Actor = z.string().min(1).default("phoenix-human");
const ProjectRef = z.object({ org: z.string(), number: z.number().int().positive() }).optional();
const FieldEdit = z.object({
  project: ProjectRef,
  /** `PVTI_…` or `owner/name#12`. */
  item: z.string().min(1),
  field: z.string().min(1),
  value: z.union([z.string(), z.number(), z.null()]),
  actor: Actor,
});
const IssueAction = z.object({
  issue: z.string().min(1),
  reason: z.enum(["COMPLETED", "NOT_PLANNED", "DUPLICATE"]).default("COMPLETED"),
  actor: Actor,
});
const NewIssue = z.object({
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "expected owner/name"),
  title: z.string().min(1),
  body: z.string().optional(),
  number: z.number().int().positive().optional(),
  project: ProjectRef,
  addToProject: z.boolean().default(true),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).default({}),
  actor: Actor,
});
const ItemAction = z.object({ project: ProjectRef, item: z.string().min(1), actor: Actor });
const RateLimitBody = z.object({
  /** Which budget: GraphQL points or REST (`core`) requests. */
  resource: z.enum(["graphql", "core"]).default("graphql"),
  limit: z.number().int().positive().optional(),
  remaining: z.number().int().nonnegative().optional(),
  resetInSeconds: z.number().int().positive().optional(),
  secondary: z
    .object({
      requests: z.number().int().nonnegative(),
      retryAfterSeconds: z.number().int().nonnegative().default(1),
      status: z.union([z.literal(403), z.literal(429)]).default(403),
    })
    .optional(),
});
const ServerErrorsBody = z.object({
  /** How many API requests answer the error (0 clears it). */
  requests: z.number().int().nonnegative(),
  status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(502),
  resource: z.enum(["graphql", "core", "any"]).default("graphql"),
  /** Run the request, then lose its answer (the write lands; the caller sees the error). */
  afterWrite: z.boolean().default(false),
});
const WebhookBody = z.object({
  url: z.url().nullable(),
  secret: z.string().default(""),
  hookId: z.number().int().positive().default(1),
});

export function adminRoutes(runtime: EmulatorRuntime): Hono {
  const app = new Hono();
  const store = runtime.store;

  const projectOf = (ref: { org: string; number: number } | undefined): Project => {
    const project = ref === undefined ? store.state.projects[0] : store.projectByNumber(ref.org, ref.number);
    if (project === undefined) throw new HTTPException(404, { message: "No such project" });
    return project;
  };
  const issueOf = (ref: string): Issue => {
    const match = Ref.exec(ref);
    const issue = match
      ? store.issueByNumber(match[1] ?? "", Number(match[2]))
      : store.state.issues.find((i) => i.id === ref);
    if (issue === undefined) throw new HTTPException(404, { message: `No issue ${ref}` });
    return issue;
  };
  const itemOf = (project: Project, ref: string): Item => {
    const match = Ref.exec(ref);
    const contentId = match
      ? (
          store.issueByNumber(match[1] ?? "", Number(match[2])) ??
          store.pullRequestByNumber(match[1] ?? "", Number(match[2]))
        )?.id
      : undefined;
    const item = store.state.items.find(
      (i) => i.projectId === project.id && (i.id === ref || i.content.id === contentId),
    );
    if (item === undefined)
      throw new HTTPException(404, { message: `No item ${ref} on project ${project.number}` });
    return item;
  };
  const setField = (
    project: Project,
    item: Item,
    name: string,
    value: string | number | null,
    actor: string,
  ) => {
    const field = store.fieldByName(project, name);
    if (field === undefined)
      throw new HTTPException(400, { message: `Project ${project.number} has no field "${name}"` });
    if (value === null) store.clearFieldValue(item.id, field.id, actor);
    else store.setFieldValue(item.id, field.id, valueFromHuman(field, value), actor);
  };

  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/state", (c) => c.json(store.snapshot()));

  app.put("/seed", async (c) => {
    const state = seedToState(await c.req.json());
    store.replaceState(state);
    runtime.baseline = structuredClone(state);
    runtime.logger("admin.seed_loaded", { items: state.items.length });
    return c.json({ status: "loaded", items: state.items.length });
  });

  app.post("/reset", (c) => {
    store.replaceState(structuredClone(runtime.baseline));
    runtime.rateLimiter.reset();
    runtime.restRateLimiter.reset();
    runtime.faults.clear();
    runtime.requests.clear();
    runtime.webhooks.clearLog();
    return c.json({ status: "reset" });
  });

  app.post("/field-value", body(FieldEdit), (c) => {
    const edit = c.req.valid("json");
    const project = projectOf(edit.project);
    const item = itemOf(project, edit.item);
    setField(project, item, edit.field, edit.value, edit.actor);
    return c.json({ itemId: item.id, field: edit.field, value: edit.value, updatedAt: item.updatedAt });
  });

  app.post("/issues/close", body(IssueAction), (c) => {
    const action = c.req.valid("json");
    const issue = store.closeIssue(issueOf(action.issue).id, action.reason, action.actor);
    return c.json({ issueId: issue.id, state: issue.state, stateReason: issue.stateReason });
  });

  app.post("/issues/reopen", body(IssueAction), (c) => {
    const action = c.req.valid("json");
    const issue = store.reopenIssue(issueOf(action.issue).id, action.actor);
    return c.json({ issueId: issue.id, state: issue.state, stateReason: issue.stateReason });
  });

  app.post("/issues", body(NewIssue), (c) => {
    const input = c.req.valid("json");
    const issue = store.addIssue(input, input.actor);
    if (!input.addToProject) return c.json({ issueId: issue.id, number: issue.number, itemId: null }, 201);
    const project = projectOf(input.project);
    const item = store.addItem(project.id, issue.id, input.actor);
    for (const [name, value] of Object.entries(input.fields))
      setField(project, item, name, value, input.actor);
    return c.json({ issueId: issue.id, number: issue.number, itemId: item.id }, 201);
  });

  app.post("/items/archive", body(ItemAction), (c) => {
    const action = c.req.valid("json");
    const item = store.archiveItem(itemOf(projectOf(action.project), action.item).id, action.actor);
    return c.json({ itemId: item.id, archivedAt: item.archivedAt });
  });

  app.post("/items/delete", body(ItemAction), (c) => {
    const action = c.req.valid("json");
    const item = store.deleteItem(itemOf(projectOf(action.project), action.item).id, action.actor);
    return c.json({ itemId: item.id, deleted: true });
  });

  /** GraphQL requests charged (`?since=<epoch ms>`), oldest first: operation, type, points. */
  app.get("/requests", (c) => c.json(runtime.requests.list(Number(c.req.query("since") ?? "0") || 0)));
  app.delete("/requests", (c) => {
    runtime.requests.clear();
    return c.json({ status: "cleared" });
  });
  app.get("/rate-limit", (c) =>
    c.json((c.req.query("resource") === "core" ? runtime.restRateLimiter : runtime.rateLimiter).snapshot()),
  );
  app.post("/rate-limit", body(RateLimitBody), (c) => {
    const input = c.req.valid("json");
    const limiter = input.resource === "core" ? runtime.restRateLimiter : runtime.rateLimiter;
    limiter.configure(input);
    if (input.secondary !== undefined) {
      const s = input.secondary;
      limiter.forceSecondary(s.requests, s.retryAfterSeconds, s.status);
    }
    return c.json(limiter.snapshot());
  });

  app.get("/server-errors", (c) => c.json(runtime.faults.snapshot()));
  app.post("/server-errors", body(ServerErrorsBody), (c) => {
    runtime.faults.set(c.req.valid("json"));
    return c.json(runtime.faults.snapshot());
  });

  app.put("/webhook", body(WebhookBody), (c) => {
    const input = c.req.valid("json");
    runtime.webhooks.configure(
      input.url === null ? null : { url: input.url, secret: input.secret, hookId: input.hookId },
    );
    return c.json({ url: input.url, hookId: input.hookId });
  });

  app.get("/deliveries", (c) => c.json(runtime.webhooks.deliveries()));
  /** Waits until every delivery queued so far has been attempted, then lists them. */
  app.post("/deliveries/flush", async (c) => {
    await runtime.webhooks.idle();
    return c.json(runtime.webhooks.deliveries());
  });
  return app;
}
