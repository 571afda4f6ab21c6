/**
 * What the store announces after each change, so the webhook dispatcher can send the
 * delivery GitHub would send and the state file can be rewritten. `actor` is the login of
 * whoever made the change (the token's user for GraphQL, a named human for admin edits).
 */
import type { Issue, Item, ProjectField, PullRequest, StoredFieldValue } from "./state-schema.ts";

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
  | { type: "issue.dependenciesChanged"; issue: Issue }
  | { type: "pullRequest.closed"; pullRequest: PullRequest; actor: string }
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
