import examples from "@octokit/webhooks-examples/api.github.com/index.json";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  BACKEND,
  deliveryId,
  emulatorItem,
  getState,
  issuePayload,
  postDelivery,
  projectItemPayload,
} from "./support/deliveries.ts";

const USED = new Set(["issues", "pull_request", "issue_comment", "projects_v2_item"]);

async function deliveryCount(): Promise<number> {
  return (await getState()).deliveryCount;
}

describe("POST /webhooks/github", () => {
  it("accepts every used example payload from @octokit/webhooks-examples and ignores the rest", async () => {
    let accepted = 0;
    let ignored = 0;
    for (const definition of examples) {
      for (const example of definition.examples) {
        const response = await postDelivery(definition.name, JSON.stringify(example));
        const body = await response.json<{ status: string }>();
        if (definition.name === "ping") {
          expect(response.status).toBe(200);
        } else if (USED.has(definition.name)) {
          expect(
            [response.status, body.status],
            `${definition.name}.${"action" in example ? String(example.action) : ""} ${JSON.stringify(body)}`,
          ).toEqual([202, "accepted"]);
          accepted += 1;
        } else {
          expect([response.status, body.status], definition.name).toEqual([202, "ignored"]);
          ignored += 1;
        }
      }
    }
    expect(accepted).toBeGreaterThanOrEqual(70);
    expect(ignored).toBeGreaterThan(200);
    expect(await deliveryCount()).toBe(accepted + ignored);
    // 329 deliveries, each routed while the next arrives: a cap for a loaded machine, not a wait.
  }, 60_000);

  it("refuses every example payload once it is tampered with, and stores nothing", async () => {
    const before = await deliveryCount();
    for (const definition of examples.slice(0, 20)) {
      for (const example of definition.examples) {
        const body = JSON.stringify(example);
        const { sign } = await import("@octokit/webhooks-methods");
        const signature = await sign("test-webhook-secret", body);
        const tampered = body.replace(/}$/, ',"tampered":true}');
        const response = await postDelivery(definition.name, tampered, { signature });
        expect(response.status).toBe(401);
      }
    }
    expect(await deliveryCount()).toBe(before);
  });

  it("answers a repeated X-GitHub-Delivery with 200 duplicate and records it once", async () => {
    const id = deliveryId();
    const body = issuePayload(BACKEND, 501);
    const first = await postDelivery("issues", body, { id });
    const second = await postDelivery("issues", body, { id });
    expect([first.status, await first.json()]).toEqual([202, { status: "accepted" }]);
    expect([second.status, await second.json()]).toEqual([200, { status: "duplicate" }]);
    const state = await getState();
    expect(state.deliveries.filter((d) => d.id === id)).toHaveLength(1);
  });

  it("answers ping with 200", async () => {
    const response = await postDelivery(
      "ping",
      JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 }),
    );
    expect([response.status, await response.json()]).toEqual([200, { status: "pong" }]);
  });

  describe("refusals store nothing", () => {
    const body = issuePayload(BACKEND, 777);
    const cases: [string, () => Promise<Response>, number][] = [
      ["a missing signature", () => postDelivery("issues", body, { signature: null }), 401],
      ["a signature made with another secret", () => postDelivery("issues", body, { secret: "wrong" }), 401],
      [
        "a malformed signature header",
        () => postDelivery("issues", body, { signature: "sha256=zz-not-hex" }),
        401,
      ],
      ["a sha1 signature", () => postDelivery("issues", body, { signature: "sha1=abcdef" }), 401],
      ["a missing event header", () => postDelivery("", body), 400],
      ["a malformed delivery id", () => postDelivery("issues", body, { id: "not a guid!" }), 400],
      ["a body that is not JSON", () => postDelivery("issues", "{not json"), 400],
      ["a JSON body that is not an object", () => postDelivery("issues", "[1,2,3]"), 400],
      [
        "a used event whose payload lacks its fields",
        () => postDelivery("issues", JSON.stringify({ action: "opened" })),
        400,
      ],
    ];
    for (const [what, send, status] of cases) {
      it(`answers ${status} for ${what}`, async () => {
        const before = await deliveryCount();
        const response = await send();
        expect(response.status).toBe(status);
        const error = await response.json<{ error: string }>();
        expect(error.error).toEqual(expect.any(String));
        expect(await deliveryCount()).toBe(before);
      });
    }

    it("answers 413 for a body over 25 MiB", async () => {
      const before = await deliveryCount();
      const huge = JSON.stringify({ action: "opened", padding: "x".repeat(25 * 1024 * 1024) });
      const response = await postDelivery("issues", huge, { signature: "sha256=00" });
      expect(response.status).toBe(413);
      expect(await deliveryCount()).toBe(before);
    });
  });

  it("routes an issue event of a workspace repo to that repo's queue only", async () => {
    const id = deliveryId();
    const response = await postDelivery(
      "issues",
      issuePayload(BACKEND, 4242, "opened", "Gateway auth refactor"),
      { id },
    );
    expect(response.status).toBe(202);
    await expect
      .poll(async () => (await getState()).deliveries.find((d) => d.id === id)?.outcome)
      .toBe("routed");
    expect((await getState()).deliveries.find((d) => d.id === id)?.repo).toBe(BACKEND);
  });

  it("records why an event of a repo outside the workspace was not routed", async () => {
    const id = deliveryId();
    await postDelivery("issues", issuePayload("someone/elsewhere", 1), { id });
    await expect
      .poll(async () => (await getState()).deliveries.find((d) => d.id === id)?.outcome)
      .toBe("unrouted");
    const delivery = (await getState()).deliveries.find((d) => d.id === id);
    expect(delivery?.detail).toBe("repository someone/elsewhere is not in the workspace");
  });

  it("resolves a projects_v2_item event to its repo through the board", async () => {
    const item = await emulatorItem(BACKEND, 57);
    const id = deliveryId();
    const payload = projectItemPayload(item.id, item.projectId);
    expect((await postDelivery("projects_v2_item", payload, { id })).status).toBe(202);
    await expect
      .poll(async () => (await getState()).deliveries.find((d) => d.id === id)?.outcome)
      .toBe("routed");
    expect((await getState()).deliveries.find((d) => d.id === id)?.repo).toBe(BACKEND);
  });

  it("records a projects_v2_item of another project as unrouted, with the reason", async () => {
    const id = deliveryId();
    await postDelivery("projects_v2_item", projectItemPayload("PVTI_elsewhere", "PVT_other_project"), { id });
    await expect
      .poll(async () => (await getState()).deliveries.find((d) => d.id === id)?.outcome)
      .toBe("unrouted");
    expect((await getState()).deliveries.find((d) => d.id === id)?.detail).toMatch(
      /is not the workspace's project/,
    );
  });

  it("keeps the board mirror across a Durable Object restart: the next event reads nothing in full", async () => {
    const { contentId } = await emulatorItem(BACKEND, 70);
    await postDelivery("issues", issuePayload(BACKEND, 70, "edited", "Retries in the docs", contentId));
    const backend = async () => (await getState()).repos.find((r) => r.name === BACKEND);
    await expect.poll(async () => (await backend())?.mirror.items ?? 0).toBeGreaterThan(0);
    const fullReads = async () => (await backend())?.budget?.byKind["list items"]?.calls ?? 0;
    const before = await fullReads();
    const { evictDurableObject } = await import("cloudflare:test");
    await evictDurableObject(env.REPO_QUEUE.getByName(BACKEND));
    await evictDurableObject(env.WORKSPACE_SUPERVISOR.getByName("phoenix"));
    const id = deliveryId();
    const renamed = issuePayload(BACKEND, 70, "edited", "Retries in the docs, renamed", contentId);
    await postDelivery("issues", renamed, { id });
    await expect
      .poll(async () => (await getState()).deliveries.find((d) => d.id === id)?.outcome)
      .toBe("routed");
    // The rename reaches the queue at its next pass, from the mirror.
    await expect
      .poll(async () => (await backend())?.items.find((i) => i.number === 70)?.title)
      .toBe("Retries in the docs, renamed");
    expect(await fullReads()).toBe(before);
  });
});
