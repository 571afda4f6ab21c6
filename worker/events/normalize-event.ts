/**
 * Turns a verified GitHub delivery into the typed workspace event the supervisor routes.
 * Pure. Payload shapes follow @octokit/openapi-webhooks-types; only the fields the product
 * uses are read (with zod), so GitHub adding fields never breaks intake.
 */
import { z } from "zod";
import { CHECK_EVENTS, normalizeCheckEvent, type CheckEvent } from "./check-events.ts";

export type { CheckEvent };

/** The events Worker Factory acts on; every other verified event is acknowledged and ignored. */
export const USED_EVENTS = [
  "issues",
  "pull_request",
  "issue_comment",
  "projects_v2_item",
  ...CHECK_EVENTS,
] as const;
export type UsedEvent = (typeof USED_EVENTS)[number];

export function isUsedEvent(event: string): event is UsedEvent {
  return (USED_EVENTS as readonly string[]).includes(event);
}

const Repository = z.object({ full_name: z.string() });
/** A pull request's repository: what its merge needs (GitHub's webhooks carry the settings). */
const PullRepository = Repository.extend({
  default_branch: z.string().nullish(),
  delete_branch_on_merge: z.boolean().nullish(),
});
const Ref = z.object({ ref: z.string(), sha: z.string().nullish() }).nullish();
const Organization = z.object({ login: z.string() }).optional();
/** Who caused the event; GitHub sends a placeholder (`ghost`) where it cannot say. */
const Sender = z.object({ login: z.string() }).nullish();

const IssuesPayload = z.object({
  action: z.string(),
  issue: z.object({
    number: z.number().int(),
    node_id: z.string(),
    title: z.string(),
    state: z.string().optional(),
    state_reason: z.string().nullable().optional(),
    html_url: z.string().optional(),
    body: z.string().nullable().optional(),
  }),
  /** Who was (un)assigned, on `assigned` and `unassigned`. */
  assignee: z.object({ login: z.string() }).nullish(),
  repository: Repository,
  sender: Sender,
});

const PullRequestPayload = z.object({
  action: z.string(),
  pull_request: z.object({
    number: z.number().int(),
    node_id: z.string(),
    title: z.string(),
    state: z.string().optional(),
    merged: z.boolean().nullable().optional(),
    body: z.string().nullable().optional(),
    html_url: z.string().nullish(),
    draft: z.boolean().nullish(),
    user: z.object({ login: z.string() }).nullish(),
    head: Ref,
    base: Ref,
    merged_by: z.object({ login: z.string() }).nullish(),
  }),
  repository: PullRepository,
  sender: Sender,
});

const IssueCommentPayload = z.object({
  action: z.string(),
  issue: z.object({ number: z.number().int(), node_id: z.string() }),
  comment: z.object({
    id: z.number(),
    body: z.string().default(""),
    user: z.object({ login: z.string() }).nullable(),
  }),
  repository: Repository,
  sender: Sender,
});

const FieldValueChange = z
  .object({
    field_node_id: z.string().optional(),
    field_type: z.string().optional(),
    field_name: z.string().optional(),
    from: z.unknown().optional(),
    to: z.unknown().optional(),
  })
  .optional();

const ProjectItemPayload = z.object({
  action: z.string(),
  projects_v2_item: z.object({
    node_id: z.string(),
    project_node_id: z.string(),
    content_node_id: z.string().nullable().optional(),
    content_type: z.string().nullable().optional(),
    updated_at: z.string().nullable().optional(),
  }),
  changes: z.object({ field_value: FieldValueChange }).passthrough().optional(),
  organization: Organization,
  sender: Sender,
});

/**
 * A field change as GitHub reports it. `hasValues` says whether the payload carried `from`
 * and `to` at all: older payloads carry neither (then the item is read by id), while a
 * cleared field carries `to: null`.
 */
export interface FieldChange {
  fieldNodeId: string | null;
  fieldName: string | null;
  from: string | null;
  to: string | null;
  hasValues: boolean;
}

export type WorkspaceEvent =
  | {
      kind: "issue";
      action: string;
      repo: string;
      number: number;
      contentId: string;
      title: string;
      body: string | null;
      state: string | null;
      stateReason: string | null;
      /** Who was (un)assigned, on `assigned` and `unassigned`. */
      assignee: string | null;
      sender: string | null;
    }
  | {
      kind: "pull_request";
      action: string;
      repo: string;
      number: number;
      contentId: string;
      title: string;
      merged: boolean;
      body: string;
      /** The PR's author, head branch, link and draft state (Copilot's PR is told by them). */
      author: string | null;
      headRef: string | null;
      url: string | null;
      draft: boolean;
      sender: string | null;
      headSha?: string | null;
      baseRef?: string | null;
      mergedBy?: string | null;
      /** The repository's default branch and its delete-branch-on-merge setting, when the payload says. */
      defaultBranch?: string | null;
      deleteBranchOnMerge?: boolean | null;
    }
  | CheckEvent
  | {
      kind: "issue_comment";
      action: string;
      repo: string;
      number: number;
      contentId: string;
      author: string | null;
      body: string;
      sender: string | null;
    }
  | {
      kind: "project_item";
      action: string;
      itemId: string;
      projectId: string;
      org: string | null;
      contentId: string | null;
      contentType: string | null;
      /** The item's `updated_at` after the change, when the payload says. */
      updatedAt: string | null;
      change: FieldChange | null;
      sender: string | null;
    };

export type Normalized = { ok: true; event: WorkspaceEvent } | { ok: false; reason: string };

export function normalizeEvent(event: UsedEvent, payload: unknown): Normalized {
  switch (event) {
    case "issues": {
      const p = IssuesPayload.safeParse(payload);
      if (!p.success) return invalid(event, p.error);
      const { issue } = p.data;
      return ok({
        kind: "issue",
        action: p.data.action,
        repo: p.data.repository.full_name,
        number: issue.number,
        contentId: issue.node_id,
        title: issue.title,
        body: issue.body ?? null,
        state: issue.state ?? null,
        stateReason: issue.state_reason ?? null,
        assignee: p.data.assignee?.login ?? null,
        sender: p.data.sender?.login ?? null,
      });
    }
    case "pull_request": {
      const p = PullRequestPayload.safeParse(payload);
      if (!p.success) return invalid(event, p.error);
      const pr = p.data.pull_request;
      return ok({
        kind: "pull_request",
        action: p.data.action,
        repo: p.data.repository.full_name,
        number: pr.number,
        contentId: pr.node_id,
        title: pr.title,
        merged: pr.merged ?? false,
        body: pr.body ?? "",
        author: pr.user?.login ?? null,
        headRef: pr.head?.ref ?? null,
        url: pr.html_url ?? null,
        draft: pr.draft ?? false,
        sender: p.data.sender?.login ?? null,
        headSha: pr.head?.sha ?? null,
        baseRef: pr.base?.ref ?? null,
        mergedBy: pr.merged_by?.login ?? null,
        defaultBranch: p.data.repository.default_branch ?? null,
        deleteBranchOnMerge: p.data.repository.delete_branch_on_merge ?? null,
      });
    }
    case "issue_comment": {
      const p = IssueCommentPayload.safeParse(payload);
      if (!p.success) return invalid(event, p.error);
      return ok({
        kind: "issue_comment",
        action: p.data.action,
        repo: p.data.repository.full_name,
        number: p.data.issue.number,
        contentId: p.data.issue.node_id,
        author: p.data.comment.user?.login ?? null,
        body: p.data.comment.body,
        sender: p.data.sender?.login ?? null,
      });
    }
    case "check_run":
    case "check_suite":
    case "status": {
      const p = normalizeCheckEvent(event, payload);
      return p.ok ? ok(p.event) : invalid(event, p.error);
    }
    case "projects_v2_item": {
      const p = ProjectItemPayload.safeParse(payload);
      if (!p.success) return invalid(event, p.error);
      const item = p.data.projects_v2_item;
      const fieldValue = p.data.changes?.field_value;
      return ok({
        kind: "project_item",
        action: p.data.action,
        itemId: item.node_id,
        projectId: item.project_node_id,
        org: p.data.organization?.login ?? null,
        contentId: item.content_node_id ?? null,
        contentType: item.content_type ?? null,
        updatedAt: item.updated_at ?? null,
        change: fieldValue
          ? {
              fieldNodeId: fieldValue.field_node_id ?? null,
              fieldName: fieldValue.field_name ?? null,
              from: changeValue(fieldValue.from),
              to: changeValue(fieldValue.to),
              hasValues: "to" in fieldValue || "from" in fieldValue,
            }
          : null,
        sender: p.data.sender?.login ?? null,
      });
    }
  }
}

/** from/to are text, numbers, single-select options `{id,name}`, iterations `{id,title}`, or null. */
function changeValue(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (typeof value === "object" && value !== null) {
    if ("name" in value && typeof value.name === "string") return value.name;
    if ("title" in value && typeof value.title === "string") return value.title;
  }
  return null;
}

function ok(event: WorkspaceEvent): Normalized {
  return { ok: true, event };
}

function invalid(event: string, error: z.ZodError): Normalized {
  const first = error.issues[0];
  return { ok: false, reason: `${event} payload lacks ${first ? first.path.join(".") : "required fields"}` };
}
