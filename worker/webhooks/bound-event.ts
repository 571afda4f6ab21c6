/**
 * Bounds a normalized event before the supervisor stores it: free text (titles, bodies) is cut
 * with a marker; names, ids and changed field values longer than any GitHub sends are refused
 * (413), so a signed but oversized delivery stores nothing and never meets SQLite's value limit. Pure; used by the
 * webhook route. The limits are in worker/storage/limits.ts.
 */
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import { boundText, byteLength } from "../storage/bound-text.ts";
import { FIELD_LIMITS } from "../storage/limits.ts";

export type Bounded<T> = { ok: true; value: T } | { ok: false; error: string };

/** A name or id from a delivery, refused past `limit` (FIELD_LIMITS.identifierBytes by default). */
export function checkIdentifier(
  name: string,
  value: string | null,
  limit: number = FIELD_LIMITS.identifierBytes,
): string | null {
  if (value === null) return null;
  const bytes = byteLength(value);
  return bytes > limit ? `${name} is ${bytes} bytes, over the limit of ${limit}` : null;
}

export function boundEvent(event: WorkspaceEvent): Bounded<WorkspaceEvent> {
  const names: [string, string | null][] = [
    ["action", event.action],
    ["sender.login", event.sender],
  ];
  switch (event.kind) {
    case "issue":
    case "pull_request":
    case "issue_comment":
      names.push(["repository.full_name", event.repo], ["node_id", event.contentId]);
      if (event.kind === "pull_request")
        names.push(
          ["pull_request.head.ref", event.headRef ?? null],
          ["pull_request.base.ref", event.baseRef ?? null],
          ["pull_request.head.sha", event.headSha ?? null],
          ["repository.default_branch", event.defaultBranch ?? null],
        );
      if (event.kind === "issue")
        names.push(
          ["issue.state", event.state],
          ["issue.state_reason", event.stateReason],
          ["assignee.login", event.assignee],
        );
      if (event.kind === "pull_request")
        names.push(
          ["pull_request.user.login", event.author],
          ["pull_request.head.ref", event.headRef],
          ["pull_request.html_url", event.url],
        );
      if (event.kind === "issue_comment") names.push(["comment.user.login", event.author]);
      break;
    case "check":
      names.push(
        ["repository.full_name", event.repo],
        ["check.name", event.name],
        ["check.head_sha", event.sha],
      );
      break;
    case "project_item":
      names.push(
        ["projects_v2_item.node_id", event.itemId],
        ["projects_v2_item.project_node_id", event.projectId],
        ["organization.login", event.org],
        ["projects_v2_item.content_node_id", event.contentId],
        ["projects_v2_item.content_type", event.contentType],
        ["changes.field_value.field_node_id", event.change?.fieldNodeId ?? null],
        ["changes.field_value.field_name", event.change?.fieldName ?? null],
        ["projects_v2_item.updated_at", event.updatedAt],
      );
      break;
  }
  for (const [name, value] of names) {
    const error = checkIdentifier(name, value);
    if (error !== null) return { ok: false, error };
  }
  if (event.kind === "project_item" && event.change !== null) {
    for (const [name, value] of [
      ["changes.field_value.from", event.change.from],
      ["changes.field_value.to", event.change.to],
    ] as const) {
      const error = checkIdentifier(name, value, FIELD_LIMITS.fieldValueBytes);
      if (error !== null) return { ok: false, error };
    }
  }
  const bounded = boundTexts(event);
  // Every field is bounded above; this guards the sum should the event grow new fields.
  const size = byteLength(JSON.stringify(bounded));
  if (size > FIELD_LIMITS.eventBytes) {
    return { ok: false, error: `event is ${size} bytes once bounded, over ${FIELD_LIMITS.eventBytes}` };
  }
  return { ok: true, value: bounded };
}

function boundTexts(event: WorkspaceEvent): WorkspaceEvent {
  const title = (text: string): string => boundText(text, FIELD_LIMITS.titleBytes);
  const body = (text: string): string => boundText(text, FIELD_LIMITS.bodyBytes);
  switch (event.kind) {
    case "issue":
      return { ...event, title: title(event.title), body: event.body === null ? null : body(event.body) };
    case "pull_request":
      return { ...event, title: title(event.title), body: body(event.body) };
    case "issue_comment":
      return { ...event, body: body(event.body) };
    case "project_item":
    case "check":
      return event;
  }
}
