import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

// Here, not in test/worker/: that project's QA tests pass Frontend #22 on the board they share.
const FRONTEND = "phoenix-agentic/Phoenix-Agentic-Website-Frontend";

const freshQueue = () => env.REPO_QUEUE.getByName(`agenda-${crypto.randomUUID()}`);

describe("the RepoQueue's agenda with QA waiting", () => {
  it("keeps a timer for an item waiting for QA: its escalation after qa.timeoutMinutes", async () => {
    const stub = freshQueue();
    const before = Date.now();
    await stub.reconcile(FRONTEND);
    const { agenda } = await stub.state();
    const escalation = agenda.find((entry) => entry.kind === "qa-timeout");
    // The sample board's Frontend #22 is in QA Required; the default limit is a day.
    expect(escalation?.due).toBeGreaterThanOrEqual(before + 1440 * 60_000);
    expect(escalation?.due).toBeLessThanOrEqual(Date.now() + 1440 * 60_000);
  });
});
