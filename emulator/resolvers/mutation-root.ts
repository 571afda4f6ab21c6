/**
 * The root of GraphQL mutations: project item field updates and clears, adding, archiving
 * and deleting items, closing and reopening issues, issue dependencies, and (from
 * pull-mutations.ts, assign-mutations.ts) the pull-request loop. Inputs are checked with zod;
 * refusals are GitHub's typed errors.
 */
import { z } from "zod";
import type { EmulatorStore } from "../store/emulator-store.ts";
import { valueFromGraphql } from "../store/field-values.ts";
import { StoreError } from "../store/store-events.ts";
import { assignMutations } from "./assign-mutations.ts";
import { issueView } from "./content-views.ts";
import { Base, input, write } from "./mutation-input.ts";
import { itemView } from "./project-views.ts";
import { pullMutations } from "./pull-mutations.ts";
import type { ResolverContext } from "./resolver-context.ts";

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
    ...pullMutations(store, context),
    ...assignMutations(store, context),
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
