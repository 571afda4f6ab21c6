/**
 * The org webhook payloads GitHub sends for store events: `projects_v2_item`
 * (created/edited/archived/deleted, edited with `changes.field_value` from/to), `issues`
 * (opened/closed/reopened) and `pull_request` (closed). Project item payloads use the
 * @octokit/openapi-webhooks-types shapes; issue and PR payloads carry the commonly read subset.
 */
import type { components } from "@octokit/openapi-webhooks-types";
import type { EmulatorStore } from "../store/emulator-store.ts";
import { displayValue } from "../store/field-values.ts";
import { databaseId } from "../store/ids.ts";
import type { Issue, Item, ProjectField, PullRequest, StoredFieldValue } from "../store/state-schema.ts";
import type { StoreEvent } from "../store/store-events.ts";

type Schemas = components["schemas"];
type SimpleUser = Schemas["simple-user"];
type OrgSimple = Schemas["organization-simple-webhooks"];
type FieldValueChange =
  NonNullable<Schemas["webhook-projects-v2-item-edited"]["changes"]> extends infer C
    ? C extends { field_value: infer F }
      ? F
      : never
    : never;

export interface WebhookMessage {
  event: string;
  action: string;
  payload: { action: string; organization: OrgSimple; sender: SimpleUser };
}

const api = "https://api.github.com";

export function simpleUser(login: string): SimpleUser {
  const id = databaseId(`user:${login}`);
  const url = `${api}/users/${login}`;
  return {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: "",
    url,
    html_url: `https://github.com/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: login.endsWith("[bot]") ? "Bot" : "User",
    site_admin: false,
  };
}

function orgSimple(store: EmulatorStore, login: string): OrgSimple {
  const org = store.org(login);
  const url = `${api}/orgs/${login}`;
  return {
    login,
    id: org?.databaseId ?? databaseId(`org:${login}`),
    node_id: org?.id ?? "",
    url,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${org?.databaseId ?? 0}?v=4`,
    description: null,
  };
}

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

function repository(store: EmulatorStore, nameWithOwner: string) {
  const repo = store.repo(nameWithOwner);
  const [owner = "", name = ""] = nameWithOwner.split("/");
  const org = store.org(owner);
  return {
    id: repo?.databaseId ?? 0,
    node_id: repo?.id ?? "",
    name,
    full_name: nameWithOwner,
    private: true,
    owner: { login: owner, id: org?.databaseId ?? 0, node_id: org?.id ?? "", type: "Organization" },
    html_url: `https://github.com/${nameWithOwner}`,
    url: `${api}/repos/${nameWithOwner}`,
    default_branch: "main",
  };
}

function issuePayload(issue: Issue) {
  return {
    id: issue.databaseId,
    node_id: issue.id,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state === "OPEN" ? "open" : "closed",
    state_reason: issue.stateReason?.toLowerCase() ?? null,
    html_url: `https://github.com/${issue.repo}/issues/${issue.number}`,
    url: `${api}/repos/${issue.repo}/issues/${issue.number}`,
    repository_url: `${api}/repos/${issue.repo}`,
    user: simpleUser(issue.author),
    labels: [],
    assignees: [],
    locked: false,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
  };
}

function pullRequestPayload(pr: PullRequest) {
  return {
    id: pr.databaseId,
    node_id: pr.id,
    number: pr.number,
    title: pr.title,
    body: pr.body,
    state: pr.state === "OPEN" ? "open" : "closed",
    merged: pr.state === "MERGED",
    merged_at: pr.mergedAt,
    closed_at: pr.closedAt,
    html_url: `https://github.com/${pr.repo}/pull/${pr.number}`,
    url: `${api}/repos/${pr.repo}/pulls/${pr.number}`,
    head: { ref: pr.headRefName },
    base: { ref: "main" },
    user: simpleUser(pr.author),
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
  };
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
    case "issue.reopened": {
      const action = event.type.slice("issue.".length);
      const owner = event.issue.repo.split("/")[0] ?? "";
      const payload = {
        action,
        issue: issuePayload(event.issue),
        repository: repository(store, event.issue.repo),
        organization: orgSimple(store, owner),
        sender: simpleUser(event.actor),
      };
      return { event: "issues", action, payload };
    }
    case "pullRequest.closed": {
      const pr = event.pullRequest;
      const payload = {
        action: "closed",
        number: pr.number,
        pull_request: pullRequestPayload(pr),
        repository: repository(store, pr.repo),
        organization: orgSimple(store, pr.repo.split("/")[0] ?? ""),
        sender: simpleUser(event.actor),
      };
      return { event: "pull_request", action: "closed", payload };
    }
    case "issue.dependenciesChanged":
    case "state.replaced":
      return null;
  }
}
