/**
 * The board client's pull-request documents against GitHub's schema (with the emulator's
 * patches) and GitHub's point rules: each validates and costs one point.
 */
import { parse, validate, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { analyzeOperation } from "../../emulator/graphql/query-analysis.ts";
import { githubSchema } from "../../emulator/schema/github-schema.ts";
import {
  CLOSE_ISSUE_MUTATION,
  decorateMutation,
  DISABLE_AUTO_MERGE_MUTATION,
  ENQUEUE_PULL_REQUEST_MUTATION,
  MERGE_PULL_REQUEST_MUTATION,
  openPullRequestMutation,
  PULL_REQUEST_FOR_HEAD_QUERY,
  REPO_FACTS_QUERY,
} from "../../worker/board/pull-request-queries.ts";

function cost(document: string, variables: Record<string, unknown> = {}): number {
  const parsed = parse(document);
  const operation = parsed.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === "OperationDefinition",
  );
  if (operation === undefined) throw new Error("no operation");
  return analyzeOperation(githubSchema(), operation, [], variables).cost;
}

const full = decorateMutation({
  labelIds: ["LA_1"],
  copilotReview: true,
  autoMerge: { method: "SQUASH" },
  ready: true,
});
const queueOnly = decorateMutation({
  labelIds: [],
  copilotReview: false,
  autoMerge: { method: null },
  ready: false,
});

const documents = {
  REPO_FACTS_QUERY,
  PULL_REQUEST_FOR_HEAD_QUERY,
  open: openPullRequestMutation(false),
  openWithLabel: openPullRequestMutation(true),
  decorate: full.query,
  decorateForAQueue: queueOnly.query,
  MERGE_PULL_REQUEST_MUTATION,
  CLOSE_ISSUE_MUTATION,
  ENQUEUE_PULL_REQUEST_MUTATION,
  DISABLE_AUTO_MERGE_MUTATION,
};

describe("the pull request's GraphQL documents", () => {
  it.each(Object.entries(documents))("%s validates against GitHub's schema", (_name, document) => {
    expect(validate(githubSchema(), parse(document)).map((e) => e.message)).toEqual([]);
  });

  it.each(Object.entries(documents))("%s costs one point", (_name, document) => {
    expect(cost(document)).toBe(1);
  });
});
