/**
 * Fresh records made at run time (an issue opened through the admin API, an item linked
 * by `addProjectV2ItemById`), with the same deterministic ids the seed loader would give
 * them. Used by the store's writes.
 */
import { databaseId, nodeId, NodePrefix } from "./ids.ts";
import type { Issue, Item } from "./state-schema.ts";

export function newIssue(
  input: { repo: string; number: number; title: string; body?: string | undefined },
  author: string,
  at: string,
): Issue {
  const key = `issue:${input.repo}#${input.number}`;
  return {
    id: nodeId(NodePrefix.issue, key),
    databaseId: databaseId(key),
    repo: input.repo,
    number: input.number,
    title: input.title,
    body: input.body ?? "",
    state: "OPEN",
    stateReason: null,
    blockedBy: [],
    labels: [],
    assignees: [],
    author,
    createdAt: at,
    updatedAt: at,
    closedAt: null,
  };
}

export function newItem(projectId: string, content: Item["content"], creator: string, at: string): Item {
  const key = `item:${projectId}:${content.id}`;
  return {
    id: nodeId(NodePrefix.item, key),
    databaseId: databaseId(key),
    projectId,
    content,
    archivedAt: null,
    creator,
    createdAt: at,
    updatedAt: at,
    values: {},
  };
}
