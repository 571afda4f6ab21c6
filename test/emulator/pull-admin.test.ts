import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { commitAndPush, git, gitFixture, loopSeed, type GitFixture } from "./git-fixture.ts";
import { CREATE_PULL_REQUEST, PULL_REQUEST_FILES } from "./pull-documents.ts";
import { at, graphql, startHookReceiver, type HookReceiver } from "./support.ts";

let fixture: GitFixture;
let receiver: HookReceiver;
let emulator: RunningEmulator;
beforeAll(async () => {
  fixture = gitFixture();
  receiver = await startHookReceiver();
  const seed = loopSeed();
  seed.repos?.push({ name: "acme/later", issues: [{ number: 1, title: "Later" }] });
  emulator = await startEmulator({ seed, webhook: { url: receiver.url, secret: "s" } });
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
  fixture.cleanup();
});

async function admin(method: string, path: string, body: unknown) {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as unknown };
}

describe("admin controls of the pull-request loop", () => {
  it("sets a branch of an unlinked repo, which a PR then shows with its commits and files", async () => {
    const put = await admin("PUT", "branches", {
      repo: "acme/widgets",
      name: "wf/2-docs",
      commits: ["docs: widgets", "docs: more"],
      files: [{ path: "docs/widgets.md", additions: 12, changeType: "ADDED" }],
    });
    expect(put.status).toBe(200);
    await emulator.webhooksIdle();
    expect(receiver.received.map((h) => h.headers["x-github-event"])).toEqual(["create", "push"]);
    expect(receiver.received[1]?.json).toMatchObject({
      ref: "refs/heads/wf/2-docs",
      created: true,
      after: at(put.json, "oid"),
    });
    const created = await graphql(emulator.url, CREATE_PULL_REQUEST, {
      repositoryId: emulator.store.repo("acme/widgets")?.id,
      base: "main",
      head: "wf/2-docs",
      title: "Docs",
      body: "Closes #2",
    });
    expect(at(created.body.data, "createPullRequest", "pullRequest", "headRefOid")).toBe(at(put.json, "oid"));
    const files = await graphql(emulator.url, PULL_REQUEST_FILES, {
      owner: "acme",
      name: "widgets",
      number: 3,
    });
    expect(at(files.body.data, "repository", "pullRequest")).toMatchObject({
      commits: {
        totalCount: 2,
        nodes: [
          { commit: { messageHeadline: "docs: widgets" } },
          { commit: { messageHeadline: "docs: more" } },
        ],
      },
      files: { nodes: [{ path: "docs/widgets.md", additions: 12, deletions: 0, changeType: "ADDED" }] },
    });
  });

  it("refuses a person's merge while a required check is missing, unless they bypass the rules", async () => {
    const refused = await admin("POST", "pull-requests/merge", { pullRequest: "acme/widgets#3" });
    expect(refused).toEqual({ status: 422, json: { error: 'Required status check "ci" is expected.' } });
    const merged = await admin("POST", "pull-requests/merge", {
      pullRequest: "acme/widgets#3",
      bypassRules: true,
      method: "SQUASH",
    });
    expect(merged.json).toMatchObject({ state: "MERGED", merged: true });
    expect(emulator.store.issueByNumber("acme/widgets", 2)?.state).toBe("CLOSED");
  });

  it("links a repo to a bare repository later, whose pushes then send GitHub's webhooks", async () => {
    const linked = await admin("POST", "git/link", { repo: "acme/later", gitDir: fixture.bare("later") });
    expect(linked.status).toBe(200);
    expect(String(at(linked.json, "hook"))).toMatch(/hooks\/post-receive$/);
    const work = fixture.clone("later");
    await emulator.webhooksIdle();
    receiver.received.length = 0;
    const head = await commitAndPush(work, "feature", { "x.txt": "x\n" }, "feat: x");
    await emulator.webhooksIdle();
    expect(receiver.received.map((h) => h.headers["x-github-event"])).toEqual(["create", "push"]);
    expect(receiver.received[1]?.json).toMatchObject({
      ref: "refs/heads/feature",
      after: head,
      commits: [{ id: head, message: "feat: x", author: { name: "Agent" } }],
      repository: { full_name: "acme/later" },
    });
    expect(git(work, "ls-remote", "origin", "feature")).toContain(head);
  });

  it("answers 404 for a PR or repo it does not have and 400 for a malformed body", async () => {
    expect((await admin("POST", "pull-requests/close", { pullRequest: "acme/widgets#99" })).status).toBe(404);
    expect((await admin("POST", "checks", { repo: "acme/nope", name: "ci" })).status).toBe(404);
    const bad = await admin("POST", "statuses", { repo: "acme/widgets", state: "purple" });
    expect(bad.status).toBe(400);
  });
});
