/**
 * The pull request mutations: createPullRequest, updatePullRequest, closePullRequest,
 * reopenPullRequest, markPullRequestReadyForReview, convertPullRequestToDraft,
 * mergePullRequest, enable/disablePullRequestAutoMerge, requestReviews and
 * requestReviewsByLogin. Each is one write attributed to the token's user; refusals carry
 * GitHub's messages (from the store). Merged into the mutation root.
 */
import { z } from "zod";
import type { EmulatorStore } from "../store/emulator-store.ts";
import { MergeMethod } from "../store/pull-state-schema.ts";
import type { PullRequest } from "../store/state-schema.ts";
import { notFound } from "../store/store-events.ts";
import { actorView } from "./actor-views.ts";
import { accountById, Base, input, repoById, write } from "./mutation-input.ts";
import { pullRequestView } from "./pull-request-views.ts";
import type { ResolverContext } from "./resolver-context.ts";

const PrInput = Base.extend({ pullRequestId: z.string() });
const CreateInput = Base.extend({
  repositoryId: z.string(),
  baseRefName: z.string(),
  headRefName: z.string(),
  title: z.string(),
  body: z.string().nullish(),
  draft: z.boolean().nullish(),
});
const UpdateInput = PrInput.extend({
  title: z.string().nullish(),
  body: z.string().nullish(),
  baseRefName: z.string().nullish(),
  state: z.enum(["OPEN", "CLOSED"]).nullish(),
  labelIds: z.array(z.string()).nullish(),
  assigneeIds: z.array(z.string()).nullish(),
});
const MergeInput = PrInput.extend({
  mergeMethod: MergeMethod.nullish(),
  commitHeadline: z.string().nullish(),
  commitBody: z.string().nullish(),
  expectedHeadOid: z.string().nullish(),
});
const ReviewsInput = PrInput.extend({
  userIds: z.array(z.string()).nullish(),
  teamIds: z.array(z.string()).nullish(),
  botIds: z.array(z.string()).nullish(),
  union: z.boolean().nullish(),
});
const ReviewsByLoginInput = PrInput.extend({
  userLogins: z.array(z.string()).nullish(),
  botLogins: z.array(z.string()).nullish(),
  teamSlugs: z.array(z.string()).nullish(),
  union: z.boolean().nullish(),
});

export function pullMutations(store: EmulatorStore, context: ResolverContext): Record<string, unknown> {
  const actor = context.actor;
  const loop = store.loop;
  const payload = (clientMutationId: string | null | undefined, pr: PullRequest) => ({
    clientMutationId: clientMutationId ?? null,
    actor: actorView(actor),
    pullRequest: pullRequestView(store, pr),
  });
  const onPr = <T extends z.ZodType<{ pullRequestId: string; clientMutationId?: string | null | undefined }>>(
    schema: T,
    fn: (pr: PullRequest, i: z.output<T>) => PullRequest,
  ) => {
    return (args: unknown) => {
      const i = input(schema, args);
      return write(() => payload(i.clientMutationId, fn(store.pullRequest(i.pullRequestId), i)));
    };
  };
  return {
    createPullRequest: (args: unknown) => {
      const i = input(CreateInput, args);
      return write(() => {
        const pr = loop.pulls.create({
          repo: repoById(store, i.repositoryId),
          baseRefName: i.baseRefName,
          headRefName: i.headRefName,
          title: i.title,
          body: i.body ?? "",
          draft: i.draft ?? false,
          actor,
        });
        return { clientMutationId: i.clientMutationId ?? null, pullRequest: pullRequestView(store, pr) };
      });
    },
    updatePullRequest: onPr(UpdateInput, (pr, i) => {
      loop.pulls.update(pr, i, actor);
      if (i.labelIds != null) loop.labels.replace({ kind: "pullRequest", record: pr }, i.labelIds, actor);
      if (i.assigneeIds != null)
        loop.assignments.replace(
          { kind: "pullRequest", record: pr },
          i.assigneeIds.map((id) => accountById(store, id, actor)),
          actor,
        );
      if (i.state === "CLOSED") loop.pulls.close(pr, actor);
      if (i.state === "OPEN") loop.pulls.reopen(pr, actor);
      return pr;
    }),
    closePullRequest: onPr(PrInput, (pr) => loop.pulls.close(pr, actor)),
    reopenPullRequest: onPr(PrInput, (pr) => loop.pulls.reopen(pr, actor)),
    markPullRequestReadyForReview: onPr(PrInput, (pr) => loop.pulls.setDraft(pr, false, actor)),
    convertPullRequestToDraft: onPr(PrInput, (pr) => loop.pulls.setDraft(pr, true, actor)),
    mergePullRequest: onPr(MergeInput, (pr, i) =>
      loop.merges.merge(pr, {
        method: i.mergeMethod ?? "MERGE",
        actor,
        expectedHeadOid: i.expectedHeadOid,
        commitHeadline: i.commitHeadline,
        commitBody: i.commitBody,
      }),
    ),
    enablePullRequestAutoMerge: onPr(MergeInput, (pr, i) =>
      loop.merges.enableAutoMerge(pr, {
        method: i.mergeMethod ?? "MERGE",
        actor,
        expectedHeadOid: i.expectedHeadOid,
        commitHeadline: i.commitHeadline,
        commitBody: i.commitBody,
      }),
    ),
    disablePullRequestAutoMerge: onPr(PrInput, (pr) => loop.merges.disableAutoMerge(pr, actor)),
    requestReviews: (args: unknown) => {
      const i = input(ReviewsInput, args);
      return write(() => {
        const pr = store.pullRequest(i.pullRequestId);
        const team = i.teamIds?.[0];
        if (team !== undefined) throw notFound(team);
        const users = (i.userIds ?? []).map((id) => accountById(store, id, actor));
        const bots = (i.botIds ?? []).map((id) => accountById(store, id, actor));
        for (const [list, type] of [
          [users, "User"],
          [bots, "Bot"],
        ] as const) {
          const wrong = list.find((a) => a.type !== type);
          if (wrong !== undefined) throw notFound(wrong.id);
        }
        loop.pulls.requestReviews(pr, [...users, ...bots], i.union ?? false, actor);
        return { ...payload(i.clientMutationId, pr), requestedReviewersEdge: null };
      });
    },
    requestReviewsByLogin: (args: unknown) => {
      const i = input(ReviewsByLoginInput, args);
      return write(() => {
        const pr = store.pullRequest(i.pullRequestId);
        const team = i.teamSlugs?.[0];
        if (team !== undefined) throw notFound(team);
        const bots = (i.botLogins ?? []).map((login) => store.account(login));
        const notBot = bots.find((b) => b.type !== "Bot");
        if (notBot !== undefined) throw notFound(notBot.login);
        const users = (i.userLogins ?? []).map((login) => store.account(login));
        loop.pulls.requestReviews(pr, [...users, ...bots], i.union ?? false, actor);
        return { ...payload(i.clientMutationId, pr), requestedReviewersEdge: null };
      });
    },
  };
}
