/**
 * The root of GraphQL mutations the project uses: project item field updates and clears,
 * adding an item, archiving and deleting items, closing and reopening issues, and issue
 * dependencies. Inputs are checked with zod; refusals are GitHub's typed errors.
 */
import { z } from "zod";
import type { EmulatorStore } from "../store/emulator-store.ts";
import { valueFromGraphql } from "../store/field-values.ts";
import { StoreError } from "../store/store-events.ts";
import { issueView } from "./content-views.ts";
import { itemView } from "./project-views.ts";
import { githubError, type ResolverContext } from "./resolver-context.ts";

const Base = z.object({ clientMutationId: z.string().nullish() });
const ItemInput = Base.extend({ projectId: z.string(), itemId: z.string() });
const FieldInput = ItemInput.extend({ fieldId: z.string() });
const UpdateInput = FieldInput.extend({
  value: z.object({
    text: z.string().nullish(),
    number: z.number().nullish(),
    date: z.string().nullish(),
    singleSelectOptionId: z.string().nullish(),
    iterationId: z.string().nullish(),
  }),
});
const AddItemInput = Base.extend({ projectId: z.string(), contentId: z.string() });
const CloseInput = Base.extend({
  issueId: z.string(),
  stateReason: z.enum(["COMPLETED", "NOT_PLANNED", "DUPLICATE"]).nullish(),
});
const ReopenInput = Base.extend({ issueId: z.string() });
const BlockedByInput = Base.extend({ issueId: z.string(), blockingIssueId: z.string() });

function input<T extends z.ZodType>(schema: T, args: unknown): z.output<T> {
  const raw = typeof args === "object" && args !== null && "input" in args ? args.input : undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw githubError("INVALID_INPUT", parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}

/** Runs a store write, turning its expected refusals into GitHub-typed GraphQL errors. */
function write<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof StoreError) throw githubError(error.type, error.message);
    throw error;
  }
}

export function mutationRoot(store: EmulatorStore, context: ResolverContext): Record<string, unknown> {
  const actor = context.actor;
  const projectItem = (projectId: string, itemId: string) => {
    const project = store.project(projectId);
    const item = store.item(itemId);
    if (item.projectId !== project.id)
      throw new StoreError("NOT_FOUND", `Could not resolve to a node with the global id of '${itemId}'`);
    return { project, item };
  };
  return {
    updateProjectV2ItemFieldValue: (args: unknown) => {
      const i = input(UpdateInput, args);
      return write(() => {
        const { project, item } = projectItem(i.projectId, i.itemId);
        const field = store.field(project, i.fieldId);
        store.setFieldValue(item.id, field.id, valueFromGraphql(field, i.value), actor);
        return { clientMutationId: i.clientMutationId ?? null, projectV2Item: itemView(store, item) };
      });
    },
    clearProjectV2ItemFieldValue: (args: unknown) => {
      const i = input(FieldInput, args);
      return write(() => {
        const { project, item } = projectItem(i.projectId, i.itemId);
        store.clearFieldValue(item.id, store.field(project, i.fieldId).id, actor);
        return { clientMutationId: i.clientMutationId ?? null, projectV2Item: itemView(store, item) };
      });
    },
    addProjectV2ItemById: (args: unknown) => {
      const i = input(AddItemInput, args);
      return write(() => ({
        clientMutationId: i.clientMutationId ?? null,
        item: itemView(store, store.addItem(i.projectId, i.contentId, actor)),
      }));
    },
    archiveProjectV2Item: (args: unknown) => {
      const i = input(ItemInput, args);
      return write(() => {
        const { item } = projectItem(i.projectId, i.itemId);
        return {
          clientMutationId: i.clientMutationId ?? null,
          item: itemView(store, store.archiveItem(item.id, actor)),
        };
      });
    },
    deleteProjectV2Item: (args: unknown) => {
      const i = input(ItemInput, args);
      return write(() => {
        const { item } = projectItem(i.projectId, i.itemId);
        store.deleteItem(item.id, actor);
        return { clientMutationId: i.clientMutationId ?? null, deletedItemId: item.id };
      });
    },
    closeIssue: (args: unknown) => {
      const i = input(CloseInput, args);
      return write(() => ({
        clientMutationId: i.clientMutationId ?? null,
        issue: issueView(store, store.closeIssue(i.issueId, i.stateReason ?? "COMPLETED", actor)),
      }));
    },
    reopenIssue: (args: unknown) => {
      const i = input(ReopenInput, args);
      return write(() => ({
        clientMutationId: i.clientMutationId ?? null,
        issue: issueView(store, store.reopenIssue(i.issueId, actor)),
      }));
    },
    addBlockedBy: (args: unknown) => {
      const i = input(BlockedByInput, args);
      return write(() => ({
        clientMutationId: i.clientMutationId ?? null,
        issue: issueView(store, store.addBlockedBy(i.issueId, i.blockingIssueId)),
        blockingIssue: issueView(store, store.issue(i.blockingIssueId)),
      }));
    },
    removeBlockedBy: (args: unknown) => {
      const i = input(BlockedByInput, args);
      return write(() => ({
        clientMutationId: i.clientMutationId ?? null,
        issue: issueView(store, store.removeBlockedBy(i.issueId, i.blockingIssueId)),
        blockingIssue: issueView(store, store.issue(i.blockingIssueId)),
      }));
    },
  };
}
