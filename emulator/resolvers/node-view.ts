/**
 * `node(id)` / `nodes(ids)`: any stored record by its global id, viewed as its GraphQL
 * type, and the refs and commits whose ids encode where they are. An unknown id is GitHub's
 * NOT_FOUND error. Used by the query root.
 */
import type { EmulatorStore } from "../store/emulator-store.ts";
import { decodeNodeId } from "../store/ids.ts";
import { accountView } from "./actor-views.ts";
import { issueView, orgView } from "./content-views.ts";
import { commitView, refView } from "./git-views.ts";
import { fieldView, itemView, projectView } from "./project-views.ts";
import { labelView, pullRequestView } from "./pull-request-views.ts";
import { repoView } from "./repo-view.ts";
import { githubError } from "./resolver-context.ts";

/** A branch or commit by its encoded id (`REF_…`, `C_…`), or null. */
function gitNode(store: EmulatorStore, id: string): Record<string, unknown> | null {
  const ref = decodeNodeId("REF", id);
  const commit = decodeNodeId("C", id);
  const [repoId = "", rest = ""] = ref ?? commit ?? [];
  const node = store.node(repoId);
  if (node?.kind !== "repo") return null;
  if (commit !== null) return commitView(store, node.record, rest);
  const branch = store.loop.git.backend(node.record).branch(rest.replace(/^refs\/heads\//, ""));
  return branch === null ? null : refView(store, node.record, branch);
}

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
    case "label":
      return labelView(store, node.record);
    case "account":
      return accountView(node.record);
    case undefined: {
      const found = gitNode(store, id);
      if (found !== null) return found;
      throw githubError("NOT_FOUND", `Could not resolve to a node with the global id of '${id}'`);
    }
  }
}
