import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { loopSeed } from "./git-fixture.ts";
import {
  CREATE_LABEL,
  CREATE_PULL_REQUEST,
  ENABLE_AUTO_MERGE,
  MERGE_PULL_REQUEST,
  REQUEST_REVIEWS,
} from "./pull-documents.ts";
import { at, graphql } from "./support.ts";

let emulator: RunningEmulator;
beforeAll(async () => {
  const seed = loopSeed({
    settings: { autoMergeAllowed: true, rebaseMergeAllowed: false },
    branches: [
      {
        name: "feature",
        commits: ["feat: widget"],
        files: [{ path: "src/widget.ts", additions: 3, changeType: "ADDED" }],
      },
      { name: "docs", commits: ["docs: widget"], files: [{ path: "README.md", additions: 1 }] },
    ],
  });
  seed.repos?.push(
    { name: "acme/plain", settings: { squashMergeAllowed: false }, branches: [{ name: "feature" }] },
    { name: "acme/unprotected", settings: { autoMergeAllowed: true }, branches: [{ name: "feature" }] },
  );
  emulator = await startEmulator({ seed });
});
afterAll(async () => {
  await emulator.close();
});
afterEach(async () => {
  await fetch(`${emulator.url}/_emulator/reset`, { method: "POST" });
});

const repoId = (name: string) => emulator.store.repo(name)?.id ?? "";

async function open(repo: string, head: string, extra: Record<string, unknown> = {}) {
  return graphql(emulator.url, CREATE_PULL_REQUEST, {
    repositoryId: repoId(repo),
    base: "main",
    head,
    title: `PR from ${head}`,
    body: "",
    ...extra,
  });
}

async function openedId(repo: string, head: string): Promise<string> {
  const reply = await open(repo, head);
  return String(at(reply.body.data, "createPullRequest", "pullRequest", "id"));
}

function refusal(reply: Awaited<ReturnType<typeof graphql>>, field: string) {
  expect(reply.status).toBe(200);
  expect(at(reply.body.data, field)).toBeNull();
  return reply.body.errors?.[0];
}

describe("what GitHub refuses in the pull-request loop", () => {
  it("refuses a PR from a branch that does not exist, in GitHub's words", async () => {
    const error = refusal(await open("acme/widgets", "nope"), "createPullRequest");
    expect(error).toMatchObject({
      type: "UNPROCESSABLE",
      path: ["createPullRequest"],
      message:
        "Head sha can't be blank, Base sha can't be blank, No commits between main and nope, Head ref must be a branch",
    });
  });

  it("refuses a PR onto a base that does not exist", async () => {
    const error = refusal(await open("acme/widgets", "feature", { base: "develop" }), "createPullRequest");
    expect(error?.message).toBe(
      "Base sha can't be blank, No commits between develop and feature, Base ref must be a branch",
    );
  });

  it("refuses a PR with no commits between base and head", async () => {
    const error = refusal(await open("acme/widgets", "main"), "createPullRequest");
    expect(error).toMatchObject({ type: "UNPROCESSABLE", message: "No commits between main and main" });
  });

  it("refuses a second open PR for the same head and base", async () => {
    await open("acme/widgets", "feature");
    const error = refusal(await open("acme/widgets", "feature"), "createPullRequest");
    expect(error?.message).toBe("A pull request already exists for acme:feature.");
  });

  it("refuses auto-merge where the repository does not allow it", async () => {
    const id = await openedId("acme/plain", "feature");
    const error = refusal(
      await graphql(emulator.url, ENABLE_AUTO_MERGE, { pullRequestId: id, mergeMethod: "MERGE" }),
      "enablePullRequestAutoMerge",
    );
    expect(error).toMatchObject({
      type: "UNPROCESSABLE",
      message: "Auto merge is not allowed for this repository",
    });
  });

  it("refuses auto-merge with a merge method the repository does not allow", async () => {
    const id = await openedId("acme/widgets", "feature");
    const error = refusal(
      await graphql(emulator.url, ENABLE_AUTO_MERGE, { pullRequestId: id, mergeMethod: "REBASE" }),
      "enablePullRequestAutoMerge",
    );
    expect(error?.message).toBe("Merge method rebase merging is not allowed on this repository");
  });

  it("refuses auto-merge on a branch without protection rules", async () => {
    const id = await openedId("acme/unprotected", "feature");
    const error = refusal(
      await graphql(emulator.url, ENABLE_AUTO_MERGE, { pullRequestId: id, mergeMethod: "MERGE" }),
      "enablePullRequestAutoMerge",
    );
    expect(error?.message).toBe("Pull request Protected branch rules not configured for this branch");
  });

  it("refuses auto-merge on a PR that can merge already (clean status)", async () => {
    const id = await openedId("acme/widgets", "feature");
    await fetch(`${emulator.url}/_emulator/checks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ repo: "acme/widgets", branch: "feature", name: "ci", conclusion: "success" }),
    });
    const error = refusal(
      await graphql(emulator.url, ENABLE_AUTO_MERGE, { pullRequestId: id, mergeMethod: "SQUASH" }),
      "enablePullRequestAutoMerge",
    );
    expect(error?.message).toBe("Pull request Pull request is in clean status");
  });

  it("refuses to merge while a required check is missing, then merges once it passes", async () => {
    const id = await openedId("acme/widgets", "feature");
    const early = refusal(
      await graphql(emulator.url, MERGE_PULL_REQUEST, { pullRequestId: id }),
      "mergePullRequest",
    );
    expect(early?.message).toBe('Required status check "ci" is expected.');
    await fetch(`${emulator.url}/_emulator/statuses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ repo: "acme/widgets", branch: "feature", context: "ci", state: "failure" }),
    });
    const failing = refusal(
      await graphql(emulator.url, MERGE_PULL_REQUEST, { pullRequestId: id }),
      "mergePullRequest",
    );
    expect(failing?.message).toBe('Required status check "ci" is failing.');
    await fetch(`${emulator.url}/_emulator/statuses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ repo: "acme/widgets", branch: "feature", context: "ci", state: "success" }),
    });
    const merged = await graphql(emulator.url, MERGE_PULL_REQUEST, {
      pullRequestId: id,
      mergeMethod: "MERGE",
    });
    expect(at(merged.body.data, "mergePullRequest", "pullRequest")).toMatchObject({
      state: "MERGED",
      merged: true,
    });
  });

  it("refuses a merge method the repository does not allow, and a stale head", async () => {
    const id = await openedId("acme/plain", "feature");
    const squash = refusal(
      await graphql(emulator.url, MERGE_PULL_REQUEST, { pullRequestId: id, mergeMethod: "SQUASH" }),
      "mergePullRequest",
    );
    expect(squash?.message).toBe("Squash merges are not allowed on this repository.");
    const stale = refusal(
      await graphql(emulator.url, MERGE_PULL_REQUEST, { pullRequestId: id, expectedHeadOid: "0".repeat(40) }),
      "mergePullRequest",
    );
    expect(stale?.message).toBe("Head branch was modified. Review and try the merge again.");
  });

  it("refuses to merge a draft", async () => {
    const reply = await open("acme/widgets", "docs", { draft: true });
    const id = String(at(reply.body.data, "createPullRequest", "pullRequest", "id"));
    const error = refusal(
      await graphql(emulator.url, MERGE_PULL_REQUEST, { pullRequestId: id }),
      "mergePullRequest",
    );
    expect(error?.message).toBe("Pull Request is still a draft");
  });

  it("refuses a label name that is taken and a colour that is not six hex digits", async () => {
    const id = repoId("acme/widgets");
    await graphql(emulator.url, CREATE_LABEL, { repositoryId: id, name: "risk:low", color: "0e8a16" });
    const taken = refusal(
      await graphql(emulator.url, CREATE_LABEL, { repositoryId: id, name: "Risk:Low", color: "0e8a16" }),
      "createLabel",
    );
    expect(taken).toMatchObject({ type: "UNPROCESSABLE", message: "Name has already been taken" });
    const color = refusal(
      await graphql(emulator.url, CREATE_LABEL, { repositoryId: id, name: "x", color: "green" }),
      "createLabel",
    );
    expect(color?.message).toBe("Color is invalid");
  });

  it("refuses a review from the PR's author and from someone who is not a collaborator", async () => {
    const id = await openedId("acme/widgets", "feature");
    const self = refusal(
      await graphql(emulator.url, REQUEST_REVIEWS, {
        pullRequestId: id,
        userIds: [emulator.store.account("worker-factory-bot").id],
      }),
      "requestReviews",
    );
    expect(self?.message).toBe("Review cannot be requested from pull request author.");
    const outsider = refusal(
      await graphql(emulator.url, REQUEST_REVIEWS, {
        pullRequestId: id,
        userIds: [emulator.store.account("mallory").id],
      }),
      "requestReviews",
    );
    expect(outsider?.message).toBe(
      "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the acme/widgets repository.",
    );
  });

  it("answers an unknown node id with NOT_FOUND", async () => {
    const error = refusal(
      await graphql(emulator.url, ENABLE_AUTO_MERGE, { pullRequestId: "PR_nope", mergeMethod: "MERGE" }),
      "enablePullRequestAutoMerge",
    );
    expect(error).toMatchObject({
      type: "NOT_FOUND",
      message: "Could not resolve to a node with the global id of 'PR_nope'.",
    });
  });
});
