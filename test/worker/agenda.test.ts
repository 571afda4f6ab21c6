import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Agenda, armAlarm } from "../../worker/objects/agenda.ts";

const WEBSITE_BACKEND = "phoenix-agentic/Phoenix-Agentic-Website-Backend";

const freshQueue = () => env.REPO_QUEUE.getByName(`agenda-${crypto.randomUUID()}`);

describe("the RepoQueue's agenda", () => {
  it("leaves an idle RepoQueue with no alarm once its board work is done", async () => {
    const stub = freshQueue();
    await stub.reconcile(WEBSITE_BACKEND);
    const alarm = await runInDurableObject(stub, (_, state) => state.storage.getAlarm());
    expect(alarm).toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });

  it("arms the alarm at the earliest entry, keeps the sooner time of a burst, and runs only what is due", async () => {
    const stub = freshQueue();
    await runInDurableObject(stub, async (_, state) => {
      const agenda = new Agenda(state.storage.sql);
      const now = Date.now();
      agenda.set("retry:7", "retry", now + 60_000);
      agenda.setEarliest("refresh", "refresh", now + 5_000);
      agenda.setEarliest("refresh", "refresh", now + 30_000);
      await armAlarm(state.storage, agenda, now);
      expect(await state.storage.getAlarm()).toBe(now + 5_000);

      expect(agenda.take(now + 10_000).map((entry) => entry.key)).toEqual(["refresh"]);
      await armAlarm(state.storage, agenda, now + 10_000);
      expect(await state.storage.getAlarm()).toBe(now + 60_000);
    });
  });

  it("arms an entry whose time has already passed for now, and removes the alarm when nothing is left", async () => {
    const stub = freshQueue();
    await runInDurableObject(stub, async (_, state) => {
      const agenda = new Agenda(state.storage.sql);
      const now = Date.now();
      agenda.set("retry", "retry", now - 1_000);
      await armAlarm(state.storage, agenda, now);
      // Armed for now (it fires at once), never left at the past time it was due.
      expect((await state.storage.getAlarm()) ?? 0).toBeGreaterThanOrEqual(now);
      expect((await state.storage.getAlarm()) ?? Infinity).toBeLessThan(now + 1_000);

      expect(agenda.take(now)).toHaveLength(1);
      await armAlarm(state.storage, agenda, now);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });
});
