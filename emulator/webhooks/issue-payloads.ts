/**
 * `issues`, `issue_comment` and `label` deliveries as GitHub sends them, typed with
 * @octokit/openapi-webhooks-types: issues opened, closed, reopened, assigned, unassigned,
 * labeled and unlabeled; a comment created on an issue or pull request; a label created.
 * Used by webhook-payloads.ts.
 */
import type { EmulatorStore } from "../store/emulator-store.ts";
import type { Comment, Label } from "../store/pull-state-schema.ts";
import type { Issue } from "../store/state-schema.ts";
import { emptyReactions, restIssue } from "./rest-pull-request.ts";
import { api, orgSimple, restLabel, restRepository, simpleUser, type Schemas } from "./rest-shapes.ts";
import type { WebhookMessage } from "./webhook-message.ts";

/**
 * The generated types of `issues.closed` and `issue_comment.created` intersect the issue with
 * `assignee`/`labels` typed `Record<string, never>`, which no issue that has an assignee or a
 * label satisfies; GitHub sends the same issue object as in its other issues events.
 */
type WithIssue<T> = Omit<T, "issue"> & { issue: Schemas["issue"] };

export type IssueChange =
  | { action: "opened" | "closed" | "reopened"; issue: Issue; actor: string }
  | { action: "assigned" | "unassigned"; issue: Issue; assignee: string; actor: string }
  | { action: "labeled" | "unlabeled"; issue: Issue; label: Label; actor: string };

function context(store: EmulatorStore, repoName: string, actor: string) {
  const repo = store.loop.git.repo(repoName);
  return {
    repository: restRepository(store, repo),
    organization: orgSimple(store, repo.owner),
    sender: simpleUser(actor),
  };
}

export function issueMessage(store: EmulatorStore, change: IssueChange): WebhookMessage {
  const common = {
    issue: restIssue(store, change.issue),
    ...context(store, change.issue.repo, change.actor),
  };
  const message = (payload: WebhookMessage["payload"]): WebhookMessage => ({
    event: "issues",
    action: change.action,
    payload,
  });
  switch (change.action) {
    case "opened": {
      const payload: Schemas["webhook-issues-opened"] = { action: "opened", ...common };
      return message({ ...payload, ...common });
    }
    case "closed": {
      const payload: WithIssue<Schemas["webhook-issues-closed"]> = { action: "closed", ...common };
      return message({ ...payload, ...common });
    }
    case "reopened": {
      const payload: Schemas["webhook-issues-reopened"] = { action: "reopened", ...common };
      return message({ ...payload, ...common });
    }
    case "assigned":
    case "unassigned": {
      const assignee = simpleUser(change.assignee);
      const payload: Schemas["webhook-issues-assigned"] | Schemas["webhook-issues-unassigned"] =
        change.action === "assigned"
          ? { action: "assigned", assignee, ...common }
          : { action: "unassigned", assignee, ...common };
      return message({ ...payload, ...common });
    }
    case "labeled":
    case "unlabeled": {
      const label = restLabel(change.label);
      const payload: Schemas["webhook-issues-labeled"] | Schemas["webhook-issues-unlabeled"] =
        change.action === "labeled"
          ? { action: "labeled", label, ...common }
          : { action: "unlabeled", label, ...common };
      return message({ ...payload, ...common });
    }
  }
}

export function commentMessage(store: EmulatorStore, comment: Comment, actor: string): WebhookMessage {
  const node = store.node(comment.subjectId);
  if (node?.kind !== "issue" && node?.kind !== "pullRequest")
    throw new Error(`comment on unknown subject ${comment.subjectId}`);
  const subject = node.record;
  const issue = restIssue(store, subject);
  const url = `${api}/repos/${subject.repo}/issues/comments/${comment.databaseId}`;
  const common = context(store, subject.repo, actor);
  const payload: WithIssue<Schemas["webhook-issue-comment-created"]> = {
    action: "created",
    comment: {
      id: comment.databaseId,
      node_id: comment.id,
      url,
      html_url: `${issue.html_url}#issuecomment-${comment.databaseId}`,
      issue_url: issue.url,
      body: comment.body,
      user: simpleUser(comment.author),
      created_at: comment.createdAt,
      updated_at: comment.createdAt,
      author_association: "NONE",
      performed_via_github_app: null,
      reactions: { ...emptyReactions, url: `${url}/reactions` },
    },
    issue,
    ...common,
  };
  return { event: "issue_comment", action: "created", payload: { ...payload, ...common } };
}

export function labelMessage(store: EmulatorStore, label: Label, actor: string): WebhookMessage {
  const common = context(store, label.repo, actor);
  const payload: Schemas["webhook-label-created"] = { action: "created", label: restLabel(label), ...common };
  return { event: "label", action: "created", payload: { ...payload, ...common } };
}
