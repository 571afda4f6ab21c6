/**
 * The board client's calls for a run's pull request, metered like every other call (one point
 * each, by kind): the repo's merge facts, an open PR for a head branch, opening the PR (and the
 * tier label), decorating it, merging it, closing its issue, and deleting its branch (REST, no
 * GraphQL points). Refusals come back as results in GitHub's words, not exceptions. Used by
 * worker/pr/ through the RepoQueue's board port.
 */
import { z } from "zod";
import type { GraphqlFieldError, GraphqlTransport } from "./graphql-transport.ts";
import {
  CLOSE_ISSUE_MUTATION,
  decorateMutation,
  DISABLE_AUTO_MERGE_MUTATION,
  ENQUEUE_PULL_REQUEST_MUTATION,
  MERGE_PULL_REQUEST_MUTATION,
  openPullRequestMutation,
  PULL_REQUEST_FOR_HEAD_QUERY,
  REPO_FACTS_QUERY,
  type Decoration,
} from "./pull-request-queries.ts";
import { RateLimit } from "./responses.ts";

const Id = z.object({ id: z.string() }).nullable();
const MergeMethodName = z.enum(["MERGE", "SQUASH", "REBASE"]);

const RepoFactsResponse = z.object({
  repository: z
    .object({
      id: z.string(),
      autoMergeAllowed: z.boolean(),
      mergeCommitAllowed: z.boolean(),
      squashMergeAllowed: z.boolean(),
      rebaseMergeAllowed: z.boolean(),
      deleteBranchOnMerge: z.boolean(),
      viewerDefaultMergeMethod: MergeMethodName.nullish(),
      defaultBranchRef: z.object({ name: z.string() }).nullable(),
      mergeQueue: Id.optional(),
      low: Id,
      medium: Id,
      high: Id,
    })
    .nullable(),
  rateLimit: RateLimit.nullish(),
});

const OpenPr = z.object({
  id: z.string(),
  number: z.number().int(),
  url: z.string(),
  headRefOid: z.string().nullable(),
  isDraft: z.boolean(),
});
export type OpenedPullRequest = z.infer<typeof OpenPr>;

const ForHeadResponse = z.object({
  repository: z
    .object({
      pullRequests: z.object({
        nodes: z.array(OpenPr.extend({ baseRefName: z.string(), body: z.string().nullish() }).nullable()),
      }),
    })
    .nullable(),
  rateLimit: RateLimit.nullish(),
});

const OpenResponse = z
  .object({
    pr: z.object({ pullRequest: OpenPr.nullable() }).nullable().optional(),
    label: z
      .object({ label: z.object({ id: z.string(), name: z.string() }).nullable() })
      .nullable()
      .optional(),
  })
  .nullable();

const Anything = z.record(z.string(), z.unknown()).nullable();

export type Tier = "low" | "medium" | "high";

export interface RepoFacts {
  repositoryId: string;
  defaultBranch: string;
  autoMergeAllowed: boolean;
  deleteBranchOnMerge: boolean;
  /** The methods the repo allows, GitHub's default for the viewer first. */
  mergeMethods: Array<z.infer<typeof MergeMethodName>>;
  /** The base branch has a merge queue: auto-merge joins it, with the queue's own method. */
  mergeQueue: boolean;
  labels: Record<Tier, string | null>;
}

export type OpenResult =
  | { ok: true; pullRequest: OpenedPullRequest; labelId: string | null }
  | { ok: false; reason: string; exists: boolean };

/** Which parts of a decoration GitHub refused, by part, in its words. */
export type DecorateResult = {
  refused: Partial<Record<"labels" | "review" | "autoMerge" | "ready", string>>;
};

const firstMessage = (errors: readonly GraphqlFieldError[], part?: string): string | null =>
  errors.find((error) => part === undefined || error.path?.[0] === part)?.message ?? null;

export class PullRequestCalls {
  readonly #transport: GraphqlTransport;

  constructor(transport: GraphqlTransport) {
    this.#transport = transport;
  }

  async repoFacts(repo: string, base: string, labelNames: Record<Tier, string>): Promise<RepoFacts> {
    const [owner = "", name = ""] = repo.split("/");
    const response = await this.#transport.call(
      "pr repo facts",
      REPO_FACTS_QUERY,
      { owner, name, base, ...labelNames },
      RepoFactsResponse,
    );
    const r = response.repository;
    if (r === null) throw new Error(`repository ${repo} was not found or is not visible`);
    const allowed = (["SQUASH", "MERGE", "REBASE"] as const).filter(
      (method) =>
        (method === "SQUASH" && r.squashMergeAllowed) ||
        (method === "MERGE" && r.mergeCommitAllowed) ||
        (method === "REBASE" && r.rebaseMergeAllowed),
    );
    const preferred = r.viewerDefaultMergeMethod ?? null;
    return {
      repositoryId: r.id,
      defaultBranch: r.defaultBranchRef?.name ?? "main",
      autoMergeAllowed: r.autoMergeAllowed,
      deleteBranchOnMerge: r.deleteBranchOnMerge,
      mergeMethods:
        preferred !== null && allowed.includes(preferred)
          ? [preferred, ...allowed.filter((method) => method !== preferred)]
          : allowed,
      mergeQueue: (r.mergeQueue ?? null) !== null,
      labels: { low: r.low?.id ?? null, medium: r.medium?.id ?? null, high: r.high?.id ?? null },
    };
  }

  /** The open PR from `head` into `base`, if one exists (an agent's own, to adopt). */
  async openForHead(repo: string, head: string, base: string): Promise<OpenedPullRequest | null> {
    const [owner = "", name = ""] = repo.split("/");
    const response = await this.#transport.call(
      "pr for head",
      PULL_REQUEST_FOR_HEAD_QUERY,
      { owner, name, head },
      ForHeadResponse,
    );
    const nodes = response.repository?.pullRequests.nodes ?? [];
    const found = nodes.find((node) => node !== null && node.baseRefName === base) ?? nodes.find(Boolean);
    return found
      ? {
          id: found.id,
          number: found.number,
          url: found.url,
          headRefOid: found.headRefOid,
          isDraft: found.isDraft,
        }
      : null;
  }

  /** Opens the PR, creating the tier label in the same request when `label` is given. */
  async open(
    input: { repositoryId: string; base: string; head: string; title: string; body: string; draft: boolean },
    label: { name: string; color: string; description: string } | null,
  ): Promise<OpenResult> {
    const variables: Record<string, unknown> = {
      pr: {
        repositoryId: input.repositoryId,
        baseRefName: input.base,
        headRefName: input.head,
        title: input.title,
        body: input.body,
        draft: input.draft,
      },
    };
    if (label !== null) variables.label = { repositoryId: input.repositoryId, ...label };
    const { data, errors } = await this.#transport.callPartial(
      "open pr",
      openPullRequestMutation(label !== null),
      variables,
      OpenResponse,
    );
    const pullRequest = data?.pr?.pullRequest ?? null;
    if (pullRequest === null) {
      const reason = firstMessage(errors, "pr") ?? firstMessage(errors) ?? "GitHub opened no pull request";
      return { ok: false, reason, exists: /already exists/i.test(reason) };
    }
    return { ok: true, pullRequest, labelId: data?.label?.label?.id ?? null };
  }

  /** Label, Copilot review, readiness and auto-merge in one request; what GitHub refused is returned. */
  async decorate(pullRequestId: string, decoration: Decoration): Promise<DecorateResult> {
    const { labelIds, copilotReview, autoMerge, ready } = decoration;
    if (labelIds.length === 0 && !copilotReview && autoMerge === null && !ready) return { refused: {} };
    const built = decorateMutation(decoration);
    const { errors } = await this.#transport.callPartial(
      "decorate pr",
      built.query,
      { id: pullRequestId, ...built.variables },
      Anything,
    );
    const refused: DecorateResult["refused"] = {};
    for (const part of ["labels", "review", "autoMerge", "ready"] as const) {
      const message = firstMessage(errors, part);
      if (message !== null) refused[part] = message;
    }
    return { refused };
  }

  /** Merges now (auto-merge cannot be armed on a PR whose checks already passed). */
  async merge(
    pullRequestId: string,
    method: string,
    head: string | null,
  ): Promise<{ ok: true } | { ok: false; reason: string }> {
    const { errors } = await this.#transport.callPartial(
      "merge pr",
      MERGE_PULL_REQUEST_MUTATION,
      { id: pullRequestId, mergeMethod: method, head },
      Anything,
    );
    const reason = firstMessage(errors);
    return reason === null ? { ok: true } : { ok: false, reason };
  }

  /** Joins the base's merge queue (where the base has one, a merge goes through it). */
  async enqueue(
    pullRequestId: string,
    head: string | null,
  ): Promise<{ ok: true } | { ok: false; reason: string }> {
    const { errors } = await this.#transport.callPartial(
      "enqueue pr",
      ENQUEUE_PULL_REQUEST_MUTATION,
      { id: pullRequestId, head },
      Anything,
    );
    const reason = firstMessage(errors);
    return reason === null ? { ok: true } : { ok: false, reason };
  }

  /** Disarms auto-merge; GitHub's refusal comes back in its words. */
  async disableAutoMerge(pullRequestId: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    const { errors } = await this.#transport.callPartial(
      "disarm pr",
      DISABLE_AUTO_MERGE_MUTATION,
      { id: pullRequestId },
      Anything,
    );
    const reason = firstMessage(errors);
    return reason === null ? { ok: true } : { ok: false, reason };
  }

  /** Closes the issue as completed (when the PR's closing keyword could not: not the default branch). */
  async closeIssue(issueId: string): Promise<void> {
    await this.#transport.call("close issue", CLOSE_ISSUE_MUTATION, { id: issueId }, Anything);
  }

  /** Deletes the merged PR's head branch (REST; GitHub refuses a protected one). */
  async deleteBranch(repo: string, branch: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    const ref = branch.split("/").map(encodeURIComponent).join("/");
    try {
      await this.#transport.rest(
        "delete branch",
        "DELETE",
        `/repos/${repo}/git/refs/heads/${ref}`,
        z.unknown(),
      );
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }
}
