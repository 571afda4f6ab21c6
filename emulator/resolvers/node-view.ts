/**
 * `node(id)` / `nodes(ids)`: any stored record by its global id, viewed as its GraphQL
 * type. An unknown id is GitHub's NOT_FOUND error. Used by the query root.
 */
import type { EmulatorStore } from "../store/emulator-store.ts";
import { issueView, orgView, pullRequestView, repoView } from "./content-views.ts";
import { fieldView, itemView, projectView } from "./project-views.ts";
import { githubError } from "./resolver-context.ts";

export function nodeView(store: EmulatorStore, id: string): Record<string, unknown> {
  const node = store.node(id);
  switch (node?.kind) {
    case "org":
      return orgView(store, node.record);
    case "repo":
      return repoView(store, node.record);
    case "issue":
      return issueView(store, node.record);
    case "pullRequest":
      return pullRequestView(store, node.record);
    case "project":
      return projectView(store, node.record);
    case "field":
      return fieldView(store, node.project, node.record);
    case "item":
      return itemView(store, node.record);
    case undefined:
      throw githubError("NOT_FOUND", `Could not resolve to a node with the global id of '${id}'`);
  }
}
