import { graphql as octokitGraphql } from "@octokit/graphql";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { gitFixture, git, loopSeed, type GitFixture } from "./git-fixture.ts";
import { ASSIGN_ACTORS, ISSUE_CLOSED_BY, PULL_REQUEST_FILES, SUGGESTED_ACTORS } from "./pull-documents.ts";
import { at, startHookReceiver, type HookReceiver } from "./support.ts";

let fixture: GitFixture;
let receiver: HookReceiver;
let emulator: RunningEmulator;
let client: typeof octokitGraphql;

beforeAll(async () => {
  fixture = gitFixture();
  receiver = await startHookReceiver();
  const seed = loopSeed();
  seed.repos?.push({
    name: "acme/legacy",
    collaborators: ["alice"],
    issues: [{ number: 1, title: "Old issue" }],
  });
  emulator = await startEmulator({
    seed,
    gitRoot: fixture.root,
    webhook: { url: receiver.url, secret: "s" },
  });
  client = octokitGraphql.defaults({ baseUrl: emulator.url, headers: { authorization: "token t" } });
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
  fixture.cleanup();
});
afterEach(async () => {
  await emulator.webhooksIdle();
  receiver.received.length = 0;
});

const admin = async (path: string, body: unknown) => {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as unknown };
};

function nodes(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null)
    : [];
}

async function assignCopilot(repo: string, number: number): Promise<unknown> {
  const [owner = "", name = ""] = repo.split("/");
  const actors = nodes(
    at(await client(SUGGESTED_ACTORS, { owner, name }), "repository", "suggestedActors", "nodes"),
  );
  const bot = actors.find((a) => a["login"] === "copilot-swe-agent");
  const issueId = emulator.store.issueByNumber(repo, number)?.id;
  return client(ASSIGN_ACTORS, { assignableId: issueId, actorIds: [bot?.["id"]], baseRef: "main" });
}

describe("GitHub's Copilot coding agent", () => {
  it("is the first assignable actor, a Bot, where the repo has it enabled, and absent elsewhere", async () => {
    const enabled = nodes(
      at(
        await client(SUGGESTED_ACTORS, { owner: "acme", name: "widgets" }),
        "repository",
        "suggestedActors",
        "nodes",
      ),
    );
    expect(enabled.map((a) => [a["__typename"], a["login"]])).toEqual([
      ["Bot", "copilot-swe-agent"],
      ["User", "alice"],
      ["User", "worker-factory-bot"],
    ]);
    expect(enabled[0]?.["id"]).toBe("BOT_kgDOC9w8XQ");
    const legacy = nodes(
      at(
        await client(SUGGESTED_ACTORS, { owner: "acme", name: "legacy" }),
        "repository",
        "suggestedActors",
        "nodes",
      ),
    );
    expect(legacy.map((a) => a["login"])).toEqual(["alice"]);
  });

  it("is assigned with replaceActorsForAssignable: assignedActors shows the Bot and issues.assigned names Copilot", async () => {
    const assigned = await assignCopilot("acme/widgets", 1);
    expect(at(assigned, "replaceActorsForAssignable", "assignable")).toEqual({
      assignedActors: { nodes: [{ __typename: "Bot", login: "copilot-swe-agent" }] },
      assignees: { nodes: [] },
    });
    await emulator.webhooksIdle();
    expect(receiver.received.map((h) => h.headers["x-github-event"])).toEqual(["issues"]);
    expect(receiver.received[0]?.json).toMatchObject({
      action: "assigned",
      assignee: { login: "Copilot", type: "Bot", id: 198982749 },
      issue: { number: 1, assignees: [{ login: "Copilot" }] },
      sender: { login: "worker-factory-bot" },
    });
  });

  it("opens a draft PR from a copilot/ branch that fixes the issue, authored by the Copilot bot, then readies it and asks for review", async () => {
    const opened = await admin("copilot/pull-request", {
      issue: "acme/widgets#1",
      files: [{ path: "src/widget.ts", content: "export const widget = 1;\n" }],
    });
    expect(opened.status).toBe(201);
    expect(opened.json).toMatchObject({ number: 3, headRefName: "copilot/fix-1", state: "OPEN" });
    const bare = fixture.bare("widgets");
    expect(git(bare, "log", "-1", "--format=%an", "copilot/fix-1")).toBe("copilot-swe-agent[bot]");

    const pr: unknown = await client(
      `query($n: Int!) { repository(owner: "acme", name: "widgets") { pullRequest(number: $n) {
        isDraft title author { __typename login } headRefName body
        closingIssuesReferences(first: 5) { nodes { number } }
        assignedActors(first: 5) { nodes { ... on Bot { login } ... on User { login } } } } } }`,
      { n: 3 },
    );
    expect(at(pr, "repository", "pullRequest")).toMatchObject({
      isDraft: true,
      title: "[WIP] Add a widget",
      author: { __typename: "Bot", login: "copilot-swe-agent" },
      headRefName: "copilot/fix-1",
      closingIssuesReferences: { nodes: [{ number: 1 }] },
      assignedActors: { nodes: [{ login: "copilot-swe-agent" }, { login: "worker-factory-bot" }] },
    });
    expect(String(at(pr, "repository", "pullRequest", "body"))).toMatch(/^Fixes #1\b/);
    const files: unknown = await client(PULL_REQUEST_FILES, { owner: "acme", name: "widgets", number: 3 });
    expect(at(files, "repository", "pullRequest", "files", "nodes")).toEqual([
      { path: "src/widget.ts", additions: 1, deletions: 0, changeType: "ADDED" },
    ]);
    const linked: unknown = await client(ISSUE_CLOSED_BY, { owner: "acme", name: "widgets", number: 1 });
    expect(at(linked, "repository", "issue", "closedByPullRequestsReferences", "nodes")).toEqual([
      { number: 3, state: "OPEN", merged: false },
    ]);

    const ready = await admin("copilot/ready", { issue: "acme/widgets#1", title: "Add a widget" });
    expect(ready.status).toBe(200);
    await emulator.webhooksIdle();
    const seen = receiver.received.map(
      (h) => `${String(h.headers["x-github-event"])}.${String(at(h.json, "action") ?? "")}`,
    );
    expect(seen).toEqual([
      "create.",
      "push.",
      "pull_request.opened",
      "pull_request.assigned",
      "pull_request.assigned",
      "pull_request.edited",
      "pull_request.ready_for_review",
      "pull_request.review_requested",
    ]);
    expect(receiver.received[2]?.json).toMatchObject({
      pull_request: { draft: true, user: { login: "Copilot", type: "Bot" }, head: { ref: "copilot/fix-1" } },
      sender: { login: "Copilot" },
    });
    expect(receiver.received[7]?.json).toMatchObject({ requested_reviewer: { login: "worker-factory-bot" } });
  });

  it("reports a failed session with a comment and takes no more work on it", async () => {
    await assignCopilot("acme/widgets", 2);
    await emulator.webhooksIdle();
    receiver.received.length = 0;
    const failed = await admin("copilot/fail", {
      issue: "acme/widgets#2",
      reason: "the tests would not run",
    });
    expect(failed.json).toMatchObject({ state: "FAILED" });
    await emulator.webhooksIdle();
    expect(receiver.received[0]?.json).toMatchObject({
      action: "created",
      issue: { number: 2 },
      comment: {
        body: "Copilot stopped work on this due to an error: the tests would not run",
        user: { login: "Copilot" },
      },
    });
    const late = await admin("copilot/pull-request", { issue: "acme/widgets#2" });
    expect(late.status).toBe(422);
    expect(at(late.json, "error")).toBe("Copilot is not working on acme/widgets#2: assign it first");
  });

  it("is left out of the assignees where the repo does not have it", async () => {
    const issueId = emulator.store.issueByNumber("acme/legacy", 1)?.id;
    const reply: unknown = await client(ASSIGN_ACTORS, {
      assignableId: issueId,
      actorIds: ["BOT_kgDOC9w8XQ"],
    });
    expect(at(reply, "replaceActorsForAssignable", "assignable", "assignedActors", "nodes")).toEqual([]);
  });
});
