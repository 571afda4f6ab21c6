import examples from "@octokit/webhooks-examples/api.github.com/index.json";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { FIELD_LIMITS } from "../../worker/storage/limits.ts";
import { signatureMatches } from "../../worker/webhooks/signature.ts";
import { verifyDelivery } from "../../worker/webhooks/verify-delivery.ts";
import {
  BACKEND,
  deliveryId,
  emulatorItem,
  getState,
  issuePayload,
  postDelivery,
  projectItemPayload,
  signBytes,
  WEBHOOK_SECRET,
} from "./support/deliveries.ts";

// The events Worker Factory acts on: the board's and its items', and their PRs' checks.
const USED = new Set([
  ...["issues", "pull_request", "issue_comment", "projects_v2_item"],
  ...["check_run", "check_suite", "status"],
]);

/** An item of Backend's micro queue as /api/state shows it (its title from the mirror). */
async function backendItem(number: number) {
  return (await getState()).repos.find((r) => r.name === BACKEND)?.items.find((i) => i.number === number);
}

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
  }, 60_000);

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

  // Waits are capped generously: under a full suite's load a routed event may take seconds.
  describe("signatures over the raw bytes", { timeout: 60_000 }, () => {
    const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
    const bytesOf = (...parts: (number[] | string)[]): Uint8Array =>
      new Uint8Array(parts.flatMap((part) => (typeof part === "string" ? [...encode(part)] : part)));

    it("matches GitHub's documented test vector", async () => {
      const signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
      expect(await signatureMatches(["It's a Secret to Everybody"], encode("Hello, World!"), signature)).toBe(
        true,
      );
      expect(await signatureMatches(["It's a Secret to Everybody"], encode("Hello, World?"), signature)).toBe(
        false,
      );
    });

    it("accepts a body with multi-byte UTF-8 signed over its bytes, and keeps its text as sent", async () => {
      const title = "Café ☕ — naïve 🚀 résumé";
      const { contentId } = await emulatorItem(BACKEND, 71);
      const body = encode(issuePayload(BACKEND, 71, "edited", title, contentId));
      const response = await postDelivery("issues", body);
      expect([response.status, await response.json()]).toEqual([202, { status: "accepted" }]);
      await expect.poll(async () => (await backendItem(71))?.title, { timeout: 30_000 }).toBe(title);
    });

    it("accepts a delivery signed with the previous secret while the secret rotates", async () => {
      const body = encode(issuePayload(BACKEND, 4602));
      const request = (signature: string): Request =>
        new Request("https://factory.test/webhooks/github", {
          method: "POST",
          headers: {
            "x-github-event": "issues",
            "x-github-delivery": deliveryId(),
            "x-hub-signature-256": signature,
          },
          body,
        });
      const old = await signBytes("old-secret", body);
      expect((await verifyDelivery(request(old), [WEBHOOK_SECRET, "old-secret"])).ok).toBe(true);
      expect(await verifyDelivery(request(old), [WEBHOOK_SECRET, ""])).toMatchObject({
        ok: false,
        status: 401,
      });
    });

    const refusals: [string, Uint8Array, number, RegExp][] = [
      ["a signed empty body", new Uint8Array(0), 400, /empty/],
      [
        "a signed body with a byte order mark",
        bytesOf([0xef, 0xbb, 0xbf], issuePayload(BACKEND, 4603)),
        400,
        /byte order mark/,
      ],
      [
        "a signed body that is not valid UTF-8",
        bytesOf('{"action":"opened","x":"', [0xc3, 0x28, 0xff], '"}'),
        400,
        /UTF-8/,
      ],
      [
        "a signed body that is UTF-16",
        bytesOf([0xff, 0xfe], ...[...'{"a":1}'].map((c) => [c.charCodeAt(0), 0])),
        400,
        /UTF-8/,
      ],
      ["a signed body that is not JSON", encode("action=opened"), 400, /not JSON/],
    ];
    for (const [what, body, status, error] of refusals) {
      it(`answers ${status} for ${what}, and stores nothing`, async () => {
        const before = await deliveryCount();
        const response = await postDelivery("issues", body);
        expect(response.status).toBe(status);
        expect((await response.json<{ error: string }>()).error).toMatch(error);
        expect(await deliveryCount()).toBe(before);
      });
    }

    it("answers 401, not 400, for an unsigned body with a byte order mark", async () => {
      const response = await postDelivery("issues", bytesOf([0xef, 0xbb, 0xbf], "{}"), { signature: null });
      expect(response.status).toBe(401);
    });
  });

  describe("bounded storage", { timeout: 60_000 }, () => {
    const TEN_MB = 10 * 1024 * 1024;

    it("cuts a 10 MB title to its bound with a marker, instead of failing with 500", async () => {
      const { contentId } = await emulatorItem(BACKEND, 70);
      const body = issuePayload(BACKEND, 70, "edited", `Big ${"x".repeat(TEN_MB)}`, contentId);
      const response = await postDelivery("issues", body);
      expect([response.status, await response.json()]).toEqual([202, { status: "accepted" }]);
      await expect
        .poll(async () => (await backendItem(70))?.title.startsWith("Big xxx"), { timeout: 30_000 })
        .toBe(true);
      const title = (await backendItem(70))?.title ?? "";
      expect(title).toMatch(/… \[truncated \d+ bytes\]$/);
      expect(new TextEncoder().encode(title).length).toBeLessThanOrEqual(FIELD_LIMITS.titleBytes);
    });

    it("accepts a 10 MB comment body cut to its bound", async () => {
      const body = JSON.stringify({
        action: "created",
        issue: { number: 4702, node_id: "I_4702" },
        comment: { id: 1, body: "y".repeat(TEN_MB), user: { login: "alice" } },
        repository: { full_name: BACKEND },
      });
      const response = await postDelivery("issue_comment", body);
      expect([response.status, await response.json()]).toEqual([202, { status: "accepted" }]);
    });

    it("records an unused event with a 10 MB field without storing the field", async () => {
      const id = deliveryId();
      const body = JSON.stringify({ ref: "refs/heads/main", head_commit: { message: "z".repeat(TEN_MB) } });
      const response = await postDelivery("push", body, { id });
      expect([response.status, await response.json()]).toEqual([202, { status: "ignored" }]);
      expect((await getState()).deliveries.find((d) => d.id === id)?.outcome).toBe("ignored");
    });

    const oversized: [string, string, string][] = [
      ["a 10 MB repository name", "issues", issuePayload(`acme/${"r".repeat(TEN_MB)}`, 4703)],
      [
        "a 10 MB action",
        "issues",
        JSON.stringify({ ...JSON.parse(issuePayload(BACKEND, 4704)), action: "a".repeat(TEN_MB) }),
      ],
      ["a 10 MB action of an unused event", "push", JSON.stringify({ action: "a".repeat(TEN_MB) })],
      [
        "a changed field value over 16 KiB (a Needed Files list is never cut)",
        "projects_v2_item",
        projectItemPayload("PVTI_x", "PVT_x", { field: "Needed Files", to: "docs/a.md, ".repeat(2000) }),
      ],
    ];
    for (const [what, event, body] of oversized) {
      it(`answers 413 for ${what}, and stores nothing`, async () => {
        const before = await deliveryCount();
        const response = await postDelivery(event, body);
        expect(response.status).toBe(413);
        expect((await response.json<{ error: string }>()).error).toMatch(/ bytes, over the limit of \d+$/);
        expect(await deliveryCount()).toBe(before);
      });
    }
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
