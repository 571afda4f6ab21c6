import { verify } from "@octokit/webhooks-methods";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { at, graphql, startHookReceiver, type HookReceiver } from "./support.ts";

const secret = "test-webhook-secret";
let receiver: HookReceiver;
let emulator: RunningEmulator;

beforeAll(async () => {
  receiver = await startHookReceiver();
});
afterAll(async () => {
  await receiver.close();
});
afterEach(async () => {
  await emulator.close();
  receiver.received.length = 0;
});

async function start(): Promise<RunningEmulator> {
  emulator = await startEmulator({ webhook: { url: receiver.url, secret, hookId: 7 } });
  return emulator;
}

function ids(e: RunningEmulator) {
  const project = e.store.projectByNumber("phoenix-agentic", 1);
  if (project === undefined) throw new Error("no project");
  const status = e.store.fieldByName(project, "Status");
  const issue = e.store.issueByNumber("phoenix-agentic/Phoenix-Agentic-Engine-Backend", 57);
  const item = e.store.state.items.find((i) => i.content.id === issue?.id);
  const ready = status?.options.find((o) => o.name === "Ready");
  const backlog = status?.options.find((o) => o.name === "Backlog");
  if (!status || !item || !ready || !backlog || !issue) throw new Error("seed changed");
  return { project, status, item, ready, backlog, issue };
}

const setStatus = `mutation($project: ID!, $item: ID!, $field: ID!, $option: String!) {
  updateProjectV2ItemFieldValue(input: { projectId: $project, itemId: $item, fieldId: $field, value: { singleSelectOptionId: $option } }) {
    projectV2Item { id fieldValueByName(name: "Status") { ... on ProjectV2ItemFieldSingleSelectValue { name } } } } }`;

describe("webhooks", () => {
  it("sends a signed projects_v2_item edited delivery when a mutation changes a field", async () => {
    const e = await start();
    const { project, status, item, ready, backlog } = ids(e);
    const reply = await graphql(e.url, setStatus, {
      project: project.id,
      item: item.id,
      field: status.id,
      option: ready.id,
    });
    expect(
      at(reply.body.data, "updateProjectV2ItemFieldValue", "projectV2Item", "fieldValueByName", "name"),
    ).toBe("Ready");

    const hook = await receiver.nth(0);
    expect(hook.headers["x-github-event"]).toBe("projects_v2_item");
    expect(hook.headers["x-github-hook-id"]).toBe("7");
    expect(hook.headers["x-github-hook-installation-target-type"]).toBe("organization");
    expect(hook.headers["user-agent"]).toBe("GitHub-Hookshot/emulator");
    expect(hook.headers["x-github-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
    const signature = hook.headers["x-hub-signature-256"];
    expect(typeof signature).toBe("string");
    expect(await verify(secret, hook.body, String(signature))).toBe(true);
    expect(hook.json).toMatchObject({
      action: "edited",
      projects_v2_item: { node_id: item.id, project_node_id: project.id, content_type: "Issue" },
      changes: {
        field_value: {
          field_node_id: status.id,
          field_type: "single_select",
          field_name: "Status",
          project_number: 1,
          from: { id: backlog.id, name: "Backlog" },
          to: { id: ready.id, name: "Ready" },
        },
      },
      organization: { login: "phoenix-agentic" },
      sender: { login: "worker-factory-bot" },
    });
  });

  it("sends an edited delivery with to: null when an admin clears a text field", async () => {
    const e = await start();
    const response = await fetch(`${e.url}/_emulator/field-value`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        item: "phoenix-agentic/Phoenix-Agentic-Engine-Backend#42",
        field: "Claim Owner",
        value: null,
        actor: "alice",
      }),
    });
    expect(response.status).toBe(200);
    const hook = await receiver.nth(0);
    expect(hook.json).toMatchObject({
      action: "edited",
      changes: { field_value: { field_name: "Claim Owner", field_type: "text", from: "alice", to: null } },
      sender: { login: "alice" },
    });
  });

  it("sends issues closed and reopened deliveries for the issue mutations", async () => {
    const e = await start();
    const { issue } = ids(e);
    await graphql(
      e.url,
      `
        mutation ($id: ID!) {
          closeIssue(input: { issueId: $id, stateReason: COMPLETED }) {
            issue {
              state
              stateReason
            }
          }
        }
      `,
      { id: issue.id },
    );
    await graphql(
      e.url,
      `
        mutation ($id: ID!) {
          reopenIssue(input: { issueId: $id }) {
            issue {
              state
            }
          }
        }
      `,
      { id: issue.id },
    );
    expect((await receiver.nth(0)).json).toMatchObject({
      action: "closed",
      issue: { number: 57, state: "closed", state_reason: "completed" },
    });
    expect((await receiver.nth(1)).json).toMatchObject({
      action: "reopened",
      issue: { number: 57, state: "open" },
    });
    expect((await receiver.nth(1)).headers["x-github-event"]).toBe("issues");
  });

  it("merges a PR as a person would: pull_request closed and merged, the push to main, its issue closed, its branch deleted", async () => {
    const e = await start();
    const post = (path: string, body: unknown) =>
      fetch(`${e.url}/_emulator/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const repo = "phoenix-agentic/Phoenix-Agentic-Engine-Backend";
    expect((await post("checks", { repo, pullRequest: 80, name: "ci", conclusion: "success" })).status).toBe(
      201,
    );
    const merged = await post("pull-requests/merge", { pullRequest: `${repo}#80` });
    expect(merged.status).toBe(200);
    await e.webhooksIdle();
    const events = receiver.received.map(
      (h) => `${String(h.headers["x-github-event"])}.${String(at(h.json, "action") ?? "")}`,
    );
    expect(events).toEqual([
      "check_run.created",
      "check_run.completed",
      "check_suite.completed",
      "pull_request.closed",
      "push.",
      "issues.closed",
      "delete.",
      "push.",
    ]);
    expect(receiver.received[3]?.json).toMatchObject({
      action: "closed",
      pull_request: { number: 80, merged: true, merged_by: { login: "phoenix-human" } },
      sender: { login: "phoenix-human" },
    });
    expect(receiver.received[5]?.json).toMatchObject({
      action: "closed",
      issue: { number: 42, state: "closed", state_reason: "completed" },
    });
    expect(receiver.received[6]?.json).toMatchObject({ ref: "gateway-rate-limit", ref_type: "branch" });
  });

  it("logs deliveries in GitHub's hook deliveries API and redelivers with the same guid", async () => {
    const e = await start();
    const { project, status, item, ready } = ids(e);
    await graphql(e.url, setStatus, {
      project: project.id,
      item: item.id,
      field: status.id,
      option: ready.id,
    });
    await e.webhooksIdle();
    const auth = { authorization: "bearer test-token" };
    const list = await fetch(`${e.url}/orgs/phoenix-agentic/hooks/7/deliveries`, { headers: auth });
    expect(list.status).toBe(200);
    const deliveries: unknown = await list.json();
    expect(deliveries).toEqual([
      expect.objectContaining({
        id: 1,
        status: "OK",
        status_code: 200,
        event: "projects_v2_item",
        action: "edited",
        redelivery: false,
      }),
    ]);
    const guid = at(deliveries, 0, "guid");

    const attempt = await fetch(`${e.url}/orgs/phoenix-agentic/hooks/7/deliveries/1/attempts`, {
      method: "POST",
      headers: auth,
    });
    expect(attempt.status).toBe(202);
    const redelivered = await receiver.nth(1);
    expect(redelivered.headers["x-github-delivery"]).toBe(guid);
    expect(redelivered.body).toBe((await receiver.nth(0)).body);
    await e.webhooksIdle();
    const again: unknown = await (
      await fetch(`${e.url}/orgs/phoenix-agentic/hooks/7/deliveries`, { headers: auth })
    ).json();
    expect(again).toEqual([
      expect.objectContaining({ id: 2, guid, redelivery: true }),
      expect.objectContaining({ id: 1, guid, redelivery: false }),
    ]);
    expect((await fetch(`${e.url}/orgs/phoenix-agentic/hooks/7/deliveries`)).status).toBe(401);
    expect((await fetch(`${e.url}/orgs/phoenix-agentic/hooks/8/deliveries`, { headers: auth })).status).toBe(
      404,
    );
  });

  it("sends nothing when no webhook URL is configured", async () => {
    emulator = await startEmulator();
    const { project, status, item, ready } = ids(emulator);
    await graphql(emulator.url, setStatus, {
      project: project.id,
      item: item.id,
      field: status.id,
      option: ready.id,
    });
    await emulator.webhooksIdle();
    expect(emulator.webhooks.deliveries()).toEqual([]);
    expect(receiver.received).toEqual([]);
  });
});
