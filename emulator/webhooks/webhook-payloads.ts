/**
 * The org webhook deliveries GitHub sends for store events: `projects_v2_item` (created,
 * edited with `changes.field_value` from/to, archived, deleted) built here, and the
 * pull-request loop's (`pull_request`, `issues`, `issue_comment`, `label`, `check_run`,
 * `check_suite`, `status`, `push`, `create`, `delete`) from the payload modules beside it.
 * All are typed with @octokit/openapi-webhooks-types.
 */
import type { components } from "@octokit/openapi-webhooks-types";
import type { EmulatorStore } from "../store/emulator-store.ts";
import { displayValue } from "../store/field-values.ts";
import { databaseId } from "../store/ids.ts";
import type { Item, ProjectField, StoredFieldValue } from "../store/state-schema.ts";
import type { StoreEvent } from "../store/store-events.ts";
import { checkRunMessage, checkSuiteMessage, statusMessage } from "./ci-payloads.ts";
import { pushMessage, refMessage } from "./git-payloads.ts";
import { commentMessage, issueMessage, labelMessage } from "./issue-payloads.ts";
import { pullRequestMessage } from "./pull-request-payloads.ts";
import { orgSimple, simpleUser } from "./rest-shapes.ts";
import type { WebhookMessage } from "./webhook-message.ts";

type Schemas = components["schemas"];
type FieldValueChange =
  NonNullable<Schemas["webhook-projects-v2-item-edited"]["changes"]> extends infer C
    ? C extends { field_value: infer F }
      ? F
      : never
    : never;

export type { WebhookMessage };
export { simpleUser };

function projectItem(store: EmulatorStore, item: Item): Schemas["projects-v2-item"] {
  const content = store.node(item.content.id);
  const contentDatabaseId =
    content?.kind === "issue" || content?.kind === "pullRequest"
      ? content.record.databaseId
      : databaseId(item.content.id);
  return {
    id: item.databaseId,
    node_id: item.id,
    project_node_id: item.projectId,
    content_node_id: item.content.id,
    content_type: item.content.type,
    creator: simpleUser(item.creator),
    created_at: item.createdAt,
    updated_at: item.updatedAt,
    archived_at: item.archivedAt,
    // Not in the typed shape, but GitHub sends it and readers use it to skip a lookup.
    ...{ content_database_id: contentDatabaseId },
  };
}

function changeValue(field: ProjectField, stored: StoredFieldValue | null): FieldValueChange["to"] {
  if (stored === null) return null;
  const value = stored.value;
  if (value.kind === "singleSelect") {
    const option = field.options.find((o) => o.id === value.optionId);
    return {
      id: value.optionId,
      name: option?.name ?? "",
      color: option?.color ?? "GRAY",
      description: option?.description ?? "",
    };
  }
  if (value.kind === "number") return value.number;
  return displayValue(field, stored);
}

/** The delivery GitHub would send for a store event, or null when it sends none. */
export function webhookFor(store: EmulatorStore, event: StoreEvent): WebhookMessage | null {
  switch (event.type) {
    case "item.fieldChanged": {
      const project = store.project(event.item.projectId);
      const fieldValue: FieldValueChange = {
        field_node_id: event.field.id,
        field_type: event.field.dataType.toLowerCase(),
        field_name: event.field.name,
        project_number: project.number,
        from: changeValue(event.field, event.from),
        to: changeValue(event.field, event.to),
      };
      const payload: Schemas["webhook-projects-v2-item-edited"] = {
        action: "edited",
        changes: { field_value: fieldValue },
        organization: orgSimple(store, project.org),
        projects_v2_item: projectItem(store, event.item),
        sender: simpleUser(event.actor),
      };
      return { event: "projects_v2_item", action: "edited", payload };
    }
    case "item.created":
    case "item.deleted": {
      const action = event.type === "item.created" ? "created" : "deleted";
      const org = store.node(event.item.projectId);
      const payload:
        Schemas["webhook-projects-v2-item-created"] | Schemas["webhook-projects-v2-item-deleted"] = {
        action,
        organization: orgSimple(store, org?.kind === "project" ? org.record.org : ""),
        projects_v2_item: projectItem(store, event.item),
        sender: simpleUser(event.actor),
      };
      return { event: "projects_v2_item", action, payload };
    }
    case "item.archived": {
      const payload: Schemas["webhook-projects-v2-item-archived"] = {
        action: "archived",
        changes: { archived_at: { from: null, to: event.item.archivedAt } },
        organization: orgSimple(store, store.project(event.item.projectId).org),
        projects_v2_item: projectItem(store, event.item),
        sender: simpleUser(event.actor),
      };
      return { event: "projects_v2_item", action: "archived", payload };
    }
    case "issue.opened":
    case "issue.closed":
    case "issue.reopened":
      return issueMessage(store, {
        action:
          event.type === "issue.opened" ? "opened" : event.type === "issue.closed" ? "closed" : "reopened",
        issue: event.issue,
        actor: event.actor,
      });
    case "issue.assigned":
    case "issue.unassigned":
      return issueMessage(store, {
        action: event.type === "issue.assigned" ? "assigned" : "unassigned",
        issue: event.issue,
        assignee: event.assignee,
        actor: event.actor,
      });
    case "issue.labeled":
    case "issue.unlabeled":
      return issueMessage(store, {
        action: event.type === "issue.labeled" ? "labeled" : "unlabeled",
        issue: event.issue,
        label: event.label,
        actor: event.actor,
      });
    case "pullRequest":
      return pullRequestMessage(store, event);
    case "label.created":
      return labelMessage(store, event.label, event.actor);
    case "comment.created":
      return commentMessage(store, event.comment, event.actor);
    case "ref.created":
    case "ref.deleted":
      return refMessage(
        store,
        event.type === "ref.created" ? "create" : "delete",
        event.repo,
        event.branch,
        event.actor,
      );
    case "push":
      return pushMessage(store, event);
    case "checkRun.created":
    case "checkRun.completed":
      return checkRunMessage(
        store,
        event.checkRun,
        event.type === "checkRun.created" ? "created" : "completed",
        event.actor,
      );
    case "checkSuite.completed":
      return checkSuiteMessage(store, event.checkSuite, event.actor);
    case "status.created":
      return statusMessage(store, event.status, event.actor);
    case "issue.dependenciesChanged":
    case "state.replaced":
      return null;
  }
}
