import { graphql as octokitGraphql } from "@octokit/graphql";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { commitAndPush, git, gitFixture, loopSeed, type GitFixture } from "./git-fixture.ts";
import {
  CLOSE_PULL_REQUEST,
  CREATE_PULL_REQUEST,
  DELETE_REF,
  ENABLE_AUTO_MERGE,
  MERGE_PULL_REQUEST,
  PULL_REQUEST_STATE,
  REPO_FOR_PR,
  UPDATE_PULL_REQUEST,
} from "./pull-documents.ts";
import { at, graphql, startHookReceiver, type HookReceiver } from "./support.ts";

let fixture: GitFixture;
let receiver: HookReceiver;
let emulator: RunningEmulator;
let client: typeof octokitGraphql;
let work: string;
let branches = 0;

beforeAll(async () => {
  fixture = gitFixture();
  receiver = await startHookReceiver();
  emulator = await startEmulator({
    seed: loopSeed({ settings: { autoMergeAllowed: true, deleteBranchOnMerge: false } }),
    gitRoot: fixture.root,
    webhook: { url: receiver.url, secret: "s" },
  });
  client = octokitGraphql.defaults({ baseUrl: emulator.url, headers: { authorization: "token t" } });
  work = fixture.clone("widgets");
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
  fixture.cleanup();
});
afterEach(async () => {
  await emulator.webhooksIdle();
  receiver.received.length = 0;
  git(work, "checkout", "--quiet", "main");
  git(work, "pull", "--quiet", "origin", "main");
});

const repoId = () => emulator.store.repo("acme/widgets")?.id ?? "";
const events = () =>
  receiver.received.map(
    (h) => `${String(h.headers["x-github-event"])}.${String(at(h.json, "action") ?? "")}`,
  );

/** Pushes a new branch with one file and opens a PR for it; returns its number, id and head. */
async function openPr(files: Record<string, string>, body = "", base = "main") {
  const branch = `topic-${++branches}`;
  git(work, "checkout", "--quiet", base);
  const head = await commitAndPush(work, branch, files, `feat: ${branch}`);
  const reply: unknown = await client(CREATE_PULL_REQUEST, {
    repositoryId: repoId(),
    base,
    head: branch,
    title: branch,
    body,
  });
  const pr = at(reply, "createPullRequest", "pullRequest");
  return { branch, head, number: Number(at(pr, "number")), id: String(at(pr, "id")) };
}

const state = async (number: number) =>
  at(
    await client(PULL_REQUEST_STATE, { owner: "acme", name: "widgets", number }),
    "repository",
    "pullRequest",
  );
const ci = (sha: string, conclusion: string) =>
  fetch(`${emulator.url}/_emulator/checks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ repo: "acme/widgets", sha, name: "ci", conclusion }),
  });

describe("pull requests on a git-backed repo", () => {
  it("sends push then synchronize when the PR's branch moves, and auto-merge waits for the new head's checks", async () => {
    const pr = await openPr({ "a.txt": "a\n" });
    await client(ENABLE_AUTO_MERGE, { pullRequestId: pr.id, mergeMethod: "MERGE" });
    await emulator.webhooksIdle();
    receiver.received.length = 0;
    const next = await commitAndPush(work, pr.branch, { "a.txt": "a\nb\n" }, "fix: more a");
    await emulator.webhooksIdle();
    expect(events()).toEqual(["push.", "pull_request.synchronize"]);
    expect(receiver.received[1]?.json).toMatchObject({
      before: pr.head,
      after: next,
      pull_request: { head: { sha: next } },
    });
    expect(await state(pr.number)).toMatchObject({
      headRefOid: next,
      additions: 2,
      mergeStateStatus: "BLOCKED",
    });

    await ci(pr.head, "success");
    expect(await state(pr.number)).toMatchObject({ state: "OPEN" });
    await ci(next, "success");
    expect(await state(pr.number)).toMatchObject({
      state: "MERGED",
      mergedBy: { login: "worker-factory-bot" },
    });
    const bare = fixture.bare("widgets");
    expect(git(bare, "log", "-1", "--format=%P", "main").split(" ")).toHaveLength(2);
    expect(git(bare, "log", "-1", "--format=%s", "main")).toBe(
      `Merge pull request #${pr.number} from acme/${pr.branch}`,
    );
    expect(git(bare, "branch", "--list", pr.branch)).not.toBe("");
  });

  it("shows a conflicting PR as CONFLICTING and DIRTY and refuses to merge it", async () => {
    const first = await openPr({ "same.txt": "one\n" });
    const second = await openPr({ "same.txt": "two\n" });
    await ci(first.head, "success");
    await client(MERGE_PULL_REQUEST, { pullRequestId: first.id, mergeMethod: "SQUASH" });
    expect(await state(second.number)).toMatchObject({ mergeable: "CONFLICTING", mergeStateStatus: "DIRTY" });
    await ci(second.head, "success");
    const refused = await graphql(emulator.url, MERGE_PULL_REQUEST, { pullRequestId: second.id });
    expect(refused.body.errors?.[0]).toMatchObject({
      type: "UNPROCESSABLE",
      message: "Pull Request is not mergeable",
    });
  });

  it("rebases: the PR's commits land on main one by one with GitHub as committer", async () => {
    const pr = await openPr({ "r.txt": "r\n" });
    await commitAndPush(work, pr.branch, { "r2.txt": "r2\n" }, "feat: second");
    const head = git(work, "rev-parse", "HEAD");
    await ci(head, "success");
    await client(MERGE_PULL_REQUEST, { pullRequestId: pr.id, mergeMethod: "REBASE" });
    const bare = fixture.bare("widgets");
    expect(git(bare, "log", "-2", "--format=%s|%cn|%an", "main").split("\n")).toEqual([
      "feat: second|GitHub|Agent",
      `feat: ${pr.branch}|GitHub|Agent`,
    ]);
  });

  it("closes without merging when a person closes it: merged false, its issue stays open", async () => {
    const pr = await openPr({ "c.txt": "c\n" }, "Fixes #2");
    const closed = await fetch(`${emulator.url}/_emulator/pull-requests/close`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ pullRequest: `acme/widgets#${pr.number}`, actor: "alice" }),
    });
    expect(at(await closed.json(), "merged")).toBe(false);
    await emulator.webhooksIdle();
    expect(events().slice(-1)).toEqual(["pull_request.closed"]);
    expect(receiver.received.at(-1)?.json).toMatchObject({
      pull_request: { merged: false, state: "closed" },
      sender: { login: "alice" },
    });
    expect(emulator.store.issueByNumber("acme/widgets", 2)?.state).toBe("OPEN");
  });

  it("deletes an open PR's branch with deleteRef, which closes the PR as GitHub does", async () => {
    const pr = await openPr({ "d.txt": "d\n" });
    const repo: unknown = await client(REPO_FOR_PR, {
      owner: "acme",
      name: "widgets",
      head: pr.branch,
      label: "x",
      issue: 1,
    });
    expect(at(repo, "repository", "pullRequests", "nodes", 0, "number")).toBe(pr.number);
    await emulator.webhooksIdle();
    receiver.received.length = 0;
    await client(DELETE_REF, { refId: at(repo, "repository", "ref", "id") });
    await emulator.webhooksIdle();
    expect(events()).toEqual(["delete.", "push.", "pull_request.closed"]);
    expect(git(fixture.bare("widgets"), "branch", "--list", pr.branch)).toBe("");
    expect(await state(pr.number)).toMatchObject({ state: "CLOSED", headRef: null, changedFiles: 1 });
  });

  it("reads closing keywords again when the body changes, and only for PRs onto the default branch", async () => {
    const pr = await openPr({ "k.txt": "k\n" }, "Nothing yet");
    const updated: unknown = await client(UPDATE_PULL_REQUEST, {
      pullRequestId: pr.id,
      body: "resolves: #1, fixes acme/widgets#2",
    });
    expect(at(updated, "updatePullRequest", "pullRequest", "closingIssuesReferences", "nodes")).toEqual([
      { number: 1 },
      { number: 2 },
    ]);
    git(work, "checkout", "--quiet", "main");
    git(work, "checkout", "--quiet", "-b", "release");
    await commitAndPush(work, "release", { "rel.txt": "r\n" }, "chore: release branch");
    const onRelease = await openPr({ "k2.txt": "k\n" }, "Closes #1", "release");
    expect(await state(onRelease.number)).toMatchObject({
      baseRefName: "release",
      closingIssuesReferences: { nodes: [] },
    });
    await client(CLOSE_PULL_REQUEST, { pullRequestId: onRelease.id });
  });
});
