/**
 * Mutations on what surrounds a pull request: createLabel, addLabelsToLabelable,
 * removeLabelsFromLabelable, deleteRef (a branch, by the id `Repository.ref` gives),
 * replaceActorsForAssignable, addAssigneesToAssignable and removeAssigneesFromAssignable (people
 * and GitHub's Copilot coding agent, with `agentAssignment`). Merged into the mutation root.
 */
import { z } from "zod";
import type { EmulatorStore } from "../store/emulator-store.ts";
import { decodeNodeId } from "../store/ids.ts";
import type { Labelable } from "../store/labels.ts";
import { notFound } from "../store/store-events.ts";
import { issueView } from "./content-views.ts";
import { accountById, Base, input, labelableById, repoById, write } from "./mutation-input.ts";
import { labelView, pullRequestView } from "./pull-request-views.ts";
import type { ResolverContext } from "./resolver-context.ts";

const CreateLabelInput = Base.extend({
  repositoryId: z.string(),
  name: z.string(),
  color: z.string(),
  description: z.string().nullish(),
});
const LabelsInput = Base.extend({ labelableId: z.string(), labelIds: z.array(z.string()) });
const DeleteRefInput = Base.extend({ refId: z.string() });
const AgentAssignment = z
  .object({
    baseRef: z.string().nullish(),
    customAgent: z.string().nullish(),
    customInstructions: z.string().nullish(),
    targetRepositoryId: z.string().nullish(),
  })
  .nullish();
const ReplaceActorsInput = Base.extend({
  assignableId: z.string(),
  actorIds: z.array(z.string()).nullish(),
  actorLogins: z.array(z.string()).nullish(),
  agentAssignment: AgentAssignment,
});
const AddAssigneesInput = Base.extend({
  assignableId: z.string(),
  assigneeIds: z.array(z.string()),
  agentAssignment: AgentAssignment,
});
const RemoveAssigneesInput = Base.extend({ assignableId: z.string(), assigneeIds: z.array(z.string()) });

export function assignMutations(store: EmulatorStore, context: ResolverContext): Record<string, unknown> {
  const actor = context.actor;
  const loop = store.loop;
  const view = (target: Labelable) =>
    target.kind === "issue" ? issueView(store, target.record) : pullRequestView(store, target.record);
  return {
    createLabel: (args: unknown) => {
      const i = input(CreateLabelInput, args);
      return write(() => ({
        clientMutationId: i.clientMutationId ?? null,
        label: labelView(store, loop.labels.create(repoById(store, i.repositoryId), i, actor)),
      }));
    },
    addLabelsToLabelable: (args: unknown) => {
      const i = input(LabelsInput, args);
      return write(() => {
        const target = labelableById(store, i.labelableId);
        loop.labels.add(target, i.labelIds, actor);
        return { clientMutationId: i.clientMutationId ?? null, labelable: view(target) };
      });
    },
    removeLabelsFromLabelable: (args: unknown) => {
      const i = input(LabelsInput, args);
      return write(() => {
        const target = labelableById(store, i.labelableId);
        loop.labels.remove(target, i.labelIds, actor);
        return { clientMutationId: i.clientMutationId ?? null, labelable: view(target) };
      });
    },
    deleteRef: (args: unknown) => {
      const i = input(DeleteRefInput, args);
      return write(() => {
        const [repoId = "", qualifiedName = ""] = decodeNodeId("REF", i.refId) ?? [];
        const node = store.node(repoId);
        if (node?.kind !== "repo" || !qualifiedName.startsWith("refs/heads/")) throw notFound(i.refId);
        const branch = qualifiedName.slice("refs/heads/".length);
        if (loop.git.backend(node.record).branch(branch) === null) throw notFound(i.refId);
        loop.refs.deleteBranch(node.record, branch, actor);
        return { clientMutationId: i.clientMutationId ?? null };
      });
    },
    replaceActorsForAssignable: (args: unknown) => {
      const i = input(ReplaceActorsInput, args);
      return write(() => {
        const target = labelableById(store, i.assignableId);
        const accounts = [
          ...(i.actorIds ?? []).map((id) => accountById(store, id, actor)),
          ...(i.actorLogins ?? []).map((login) => store.account(login)),
        ];
        loop.assignments.replace(target, accounts, actor, i.agentAssignment ?? {});
        return { clientMutationId: i.clientMutationId ?? null, assignable: view(target) };
      });
    },
    addAssigneesToAssignable: (args: unknown) => {
      const i = input(AddAssigneesInput, args);
      return write(() => {
        const target = labelableById(store, i.assignableId);
        const current = target.record.assignees.map((login) => store.account(login));
        const added = i.assigneeIds.map((id) => accountById(store, id, actor));
        loop.assignments.replace(target, [...current, ...added], actor, i.agentAssignment ?? {});
        return { clientMutationId: i.clientMutationId ?? null, assignable: view(target) };
      });
    },
    removeAssigneesFromAssignable: (args: unknown) => {
      const i = input(RemoveAssigneesInput, args);
      return write(() => {
        const target = labelableById(store, i.assignableId);
        const removed = new Set(i.assigneeIds.map((id) => accountById(store, id, actor).login));
        const kept = target.record.assignees.filter((login) => !removed.has(login));
        loop.assignments.replace(
          target,
          kept.map((login) => store.account(login)),
          actor,
        );
        return { clientMutationId: i.clientMutationId ?? null, assignable: view(target) };
      });
    },
  };
}
