/**
 * What the store announces after each change, so the webhook dispatcher can send the
 * delivery GitHub would send and the state file can be rewritten. `actor` is the login of
 * whoever made the change (the token's user for GraphQL, a named human for admin edits).
 */
import type { CheckRun, CheckSuite, Comment, CommitStatus, GitCommit, Label } from "./pull-state-schema.ts";
import type { Issue, Item, ProjectField, PullRequest, StoredFieldValue } from "./state-schema.ts";

/** What an edit changed, as `pull_request.edited` reports it (`from` values). */
export interface PullRequestChanges {
  title?: { from: string };
  body?: { from: string };
  base?: { ref: { from: string }; sha: { from: string } };
}

export type PullRequestEvent =
  | {
      type: "pullRequest";
      action:
        | "opened"
        | "closed"
        | "reopened"
        | "ready_for_review"
        | "converted_to_draft"
        | "auto_merge_enabled"
        | "auto_merge_disabled";
      pullRequest: PullRequest;
      actor: string;
    }
  | {
      type: "pullRequest";
      action: "edited";
      pullRequest: PullRequest;
      actor: string;
      changes: PullRequestChanges;
    }
  | {
      type: "pullRequest";
      action: "labeled" | "unlabeled";
      pullRequest: PullRequest;
      actor: string;
      label: Label;
    }
  | {
      type: "pullRequest";
      action: "review_requested" | "review_request_removed";
      pullRequest: PullRequest;
      actor: string;
      reviewer: string;
    }
  | {
      type: "pullRequest";
      action: "assigned" | "unassigned";
      pullRequest: PullRequest;
      actor: string;
      assignee: string;
    }
  | {
      type: "pullRequest";
      action: "synchronize";
      pullRequest: PullRequest;
      actor: string;
      before: string;
      after: string;
    };

export type StoreEvent =
  | {
      type: "item.fieldChanged";
      item: Item;
      field: ProjectField;
      from: StoredFieldValue | null;
      to: StoredFieldValue | null;
      actor: string;
    }
  | { type: "item.created"; item: Item; actor: string }
  | { type: "item.archived"; item: Item; actor: string }
  | { type: "item.deleted"; item: Item; actor: string }
  | { type: "issue.opened"; issue: Issue; actor: string }
  | { type: "issue.closed"; issue: Issue; actor: string }
  | { type: "issue.reopened"; issue: Issue; actor: string }
  | { type: "issue.assigned" | "issue.unassigned"; issue: Issue; assignee: string; actor: string }
  | { type: "issue.labeled" | "issue.unlabeled"; issue: Issue; label: Label; actor: string }
  | { type: "issue.dependenciesChanged"; issue: Issue }
  | PullRequestEvent
  | { type: "label.created"; label: Label; actor: string }
  | { type: "comment.created"; comment: Comment; actor: string }
  | { type: "ref.created" | "ref.deleted"; repo: string; branch: string; actor: string }
  | {
      type: "push";
      repo: string;
      branch: string;
      before: string;
      after: string;
      /** Commits the push added, oldest first. */
      commits: GitCommit[];
      forced: boolean;
      actor: string;
    }
  | { type: "checkRun.created" | "checkRun.completed"; checkRun: CheckRun; actor: string }
  | { type: "checkSuite.completed"; checkSuite: CheckSuite; actor: string }
  | { type: "status.created"; status: CommitStatus; actor: string }
  | { type: "state.replaced" };

export type StoreListener = (event: StoreEvent) => void;

/** An expected refusal, phrased as GitHub phrases it; `type` is GitHub's error type. */
export class StoreError extends Error {
  readonly type: "NOT_FOUND" | "UNPROCESSABLE" | "FORBIDDEN";
  constructor(type: "NOT_FOUND" | "UNPROCESSABLE" | "FORBIDDEN", message: string) {
    super(message);
    this.name = "StoreError";
    this.type = type;
  }
}

export function notFound(id: string): StoreError {
  return new StoreError("NOT_FOUND", `Could not resolve to a node with the global id of '${id}'.`);
}

export function unprocessable(message: string): StoreError {
  return new StoreError("UNPROCESSABLE", message);
}

/** The all-zero oid GitHub reports for a ref that did not or no longer exists. */
export const ZERO_OID = "0000000000000000000000000000000000000000";
