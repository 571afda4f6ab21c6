import { graphql as octokitGraphql } from "@octokit/graphql";
import { verify } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { commitAndPush, git, gitFixture, loopSeed, type GitFixture } from "./git-fixture.ts";
import {
  ADD_LABELS,
  CREATE_LABEL,
  CREATE_PULL_REQUEST,
  ENABLE_AUTO_MERGE,
  ISSUE_CLOSED_BY,
  PULL_REQUEST_FILES,
  PULL_REQUEST_STATE,
  REPO_FOR_PR,
  REQUEST_COPILOT_REVIEW,
  REQUEST_REVIEWS,
  SUGGESTED_ACTORS,
} from "./pull-documents.ts";
import { at, startHookReceiver, type HookReceiver } from "./support.ts";

const secret = "flow-secret";
let fixture: GitFixture;
let receiver: HookReceiver;
let emulator: RunningEmulator;
let client: typeof octokitGraphql;

beforeAll(async () => {
  fixture = gitFixture();
  receiver = await startHookReceiver();
  emulator = await startEmulator({
    seed: loopSeed(),
    gitRoot: fixture.root,
    tokens: ["ghs_flow"],
    webhook: { url: receiver.url, secret, hookId: 3 },
  });
  client = octokitGraphql.defaults({ baseUrl: emulator.url, headers: { authorization: "token ghs_flow" } });
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
  fixture.cleanup();
});

function events(): string[] {
  return receiver.received.map(
    (h) => `${String(h.headers["x-github-event"])}.${String(at(h.json, "action") ?? "")}`,
  );
}

describe("the Worker's pull-request flow against a git-backed repo", () => {
  it("opens a PR with a closing keyword, labels it, asks for reviews, auto-merges on green CI, closes the issue and deletes the branch", async () => {
    const work = fixture.clone("widgets");
    const head = await commitAndPush(
      work,
      "wf/1-add-widget",
      { "src/widget.ts": "export const widget = 1;\nexport const size = 2;\n" },
      "feat: add a widget",
    );
    await emulator.webhooksIdle();
    expect(events()).toEqual(["create.", "push."]);

    const repo: unknown = await client(REPO_FOR_PR, {
      owner: "acme",
      name: "widgets",
      head: "wf/1-add-widget",
      label: "risk:low",
      issue: 1,
    });
    expect(at(repo, "repository", "ref", "target", "oid")).toBe(head);
    expect(at(repo, "repository", "defaultBranchRef", "name")).toBe("main");
    expect(at(repo, "repository", "defaultBranchRef", "target", "oid")).toBe(
      git(work, "rev-parse", "origin/main"),
    );
    expect(at(repo, "repository", "pullRequests", "nodes")).toEqual([]);
    expect(at(repo, "repository", "label")).toBeNull();
    expect(at(repo, "repository", "autoMergeAllowed")).toBe(true);

    const created: unknown = await client(CREATE_PULL_REQUEST, {
      repositoryId: at(repo, "repository", "id"),
      base: "main",
      head: "wf/1-add-widget",
      title: "Add a widget",
      body: "Adds the widget.\n\nCloses acme/widgets#1",
    });
    const pr = at(created, "createPullRequest", "pullRequest");
    expect(pr).toMatchObject({
      number: 3,
      url: "https://github.com/acme/widgets/pull/3",
      isDraft: false,
      headRefOid: head,
      baseRefName: "main",
      closingIssuesReferences: { nodes: [{ number: 1, repository: { nameWithOwner: "acme/widgets" } }] },
    });
    const prId = at(pr, "id");

    const files: unknown = await client(PULL_REQUEST_FILES, { owner: "acme", name: "widgets", number: 3 });
    expect(at(files, "repository", "pullRequest")).toEqual({
      commits: { totalCount: 1, nodes: [{ commit: { oid: head, messageHeadline: "feat: add a widget" } }] },
      files: { nodes: [{ path: "src/widget.ts", additions: 2, deletions: 0, changeType: "ADDED" }] },
    });

    const label: unknown = await client(CREATE_LABEL, {
      repositoryId: at(repo, "repository", "id"),
      name: "risk:low",
      color: "0e8a16",
      description: "Merges itself when checks pass",
    });
    const labeled: unknown = await client(ADD_LABELS, {
      labelableId: prId,
      labelIds: [at(label, "createLabel", "label", "id")],
    });
    expect(at(labeled, "addLabelsToLabelable", "labelable", "labels", "nodes")).toEqual([
      { name: "risk:low" },
    ]);

    const actors: unknown = await client(SUGGESTED_ACTORS, { owner: "acme", name: "widgets" });
    const nodes = z_nodes(at(actors, "repository", "suggestedActors", "nodes"));
    const alice = nodes.find((n) => n["login"] === "alice");
    await client(REQUEST_REVIEWS, { pullRequestId: prId, userIds: [alice?.["id"]] });
    const copilotReview: unknown = await client(REQUEST_COPILOT_REVIEW, { pullRequestId: prId });
    expect(at(copilotReview, "requestReviewsByLogin", "pullRequest", "reviewRequests", "totalCount")).toBe(2);

    const armed: unknown = await client(ENABLE_AUTO_MERGE, { pullRequestId: prId, mergeMethod: "SQUASH" });
    expect(at(armed, "enablePullRequestAutoMerge", "pullRequest", "autoMergeRequest")).toMatchObject({
      mergeMethod: "SQUASH",
      enabledBy: { login: "worker-factory-bot" },
    });
    const waiting: unknown = await client(PULL_REQUEST_STATE, { owner: "acme", name: "widgets", number: 3 });
    expect(at(waiting, "repository", "pullRequest")).toMatchObject({
      state: "OPEN",
      mergeable: "MERGEABLE",
      mergeStateStatus: "BLOCKED",
      statusCheckRollup: null,
      labels: { nodes: [{ name: "risk:low" }] },
    });

    // CI plays its part: a check run named like the required check starts, then passes.
    const ci = (body: Record<string, unknown>) =>
      fetch(`${emulator.url}/_emulator/checks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ repo: "acme/widgets", pullRequest: 3, name: "ci", ...body }),
      });
    expect((await ci({ status: "in_progress" })).status).toBe(201);
    expect(at(await (await ci({ status: "completed", conclusion: "success" })).json(), "conclusion")).toBe(
      "SUCCESS",
    );
    await emulator.webhooksIdle();

    const merged: unknown = await client(PULL_REQUEST_STATE, { owner: "acme", name: "widgets", number: 3 });
    const mergedPr = at(merged, "repository", "pullRequest");
    expect(mergedPr).toMatchObject({
      state: "MERGED",
      merged: true,
      mergedBy: { login: "worker-factory-bot" },
      headRef: null,
      autoMergeRequest: null,
      changedFiles: 1,
      additions: 2,
      deletions: 0,
      statusCheckRollup: {
        state: "SUCCESS",
        contexts: {
          nodes: [{ __typename: "CheckRun", name: "ci", status: "COMPLETED", conclusion: "SUCCESS" }],
        },
      },
      closingIssuesReferences: { nodes: [{ number: 1, state: "CLOSED", stateReason: "COMPLETED" }] },
    });
    // The base moved in the bare repo (a squash: one new commit on main), and the head branch is gone.
    const bare = fixture.bare("widgets");
    expect(git(bare, "rev-parse", "refs/heads/main")).toBe(at(mergedPr, "mergeCommit", "oid"));
    expect(git(bare, "log", "-1", "--format=%s", "main")).toBe("Add a widget (#3)");
    expect(git(bare, "for-each-ref", "--format=%(refname)", "refs/heads/")).toBe("refs/heads/main");

    const issue: unknown = await client(ISSUE_CLOSED_BY, { owner: "acme", name: "widgets", number: 1 });
    expect(at(issue, "repository", "issue")).toMatchObject({
      state: "CLOSED",
      stateReason: "COMPLETED",
      closedByPullRequestsReferences: { nodes: [{ number: 3, state: "MERGED", merged: true }] },
    });

    expect(events()).toEqual([
      "create.",
      "push.",
      "pull_request.opened",
      "label.created",
      "pull_request.labeled",
      "pull_request.review_requested",
      "pull_request.review_requested",
      "pull_request.auto_merge_enabled",
      "check_run.created",
      "check_run.completed",
      "check_suite.completed",
      "pull_request.closed",
      "push.",
      "issues.closed",
      "delete.",
      "push.",
    ]);
    const hooks = receiver.received;
    expect(hooks[2]?.json).toMatchObject({
      action: "opened",
      number: 3,
      pull_request: { head: { ref: "wf/1-add-widget", sha: head }, base: { ref: "main" }, draft: false },
      repository: { full_name: "acme/widgets" },
      sender: { login: "worker-factory-bot" },
    });
    expect(hooks[6]?.json).toMatchObject({
      requested_reviewer: { login: "copilot-pull-request-reviewer[bot]", type: "Bot" },
    });
    expect(hooks[9]?.json).toMatchObject({
      check_run: { name: "ci", status: "completed", conclusion: "success", head_sha: head },
      sender: { login: "github-actions[bot]", type: "Bot" },
    });
    expect(hooks[11]?.json).toMatchObject({
      pull_request: {
        merged: true,
        merged_by: { login: "worker-factory-bot" },
        labels: [{ name: "risk:low" }],
      },
      sender: { login: "worker-factory-bot" },
    });
    expect(hooks[13]?.json).toMatchObject({ issue: { number: 1, state_reason: "completed" } });
    expect(hooks[15]?.json).toMatchObject({ ref: "refs/heads/wf/1-add-widget", deleted: true });
    const last = hooks[15];
    expect(await verify(secret, last?.body ?? "", String(last?.headers["x-hub-signature-256"]))).toBe(true);
  });

  it("charged one point for every query and mutation of the flow", () => {
    const charged = emulator.requests.list();
    expect(charged.length).toBeGreaterThan(8);
    expect(charged.every((r) => r.cost === 1)).toBe(true);
    expect(charged.filter((r) => r.type === "mutation").map((r) => r.operation)).toEqual([
      "CreatePullRequest",
      "CreateLabel",
      "AddLabels",
      "RequestReviews",
      "RequestCopilotReview",
      "EnableAutoMerge",
    ]);
  });
});

function z_nodes(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null)
    : [];
}
