// Bounded journals: every journal of the supervisor and the RepoQueue is pruned by age and
// by count; live runs and events still to route are kept. Fresh Durable Object names per test.
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Agenda, armAlarm } from "../../worker/objects/agenda.ts";
import { pruneAppliedEvents } from "../../worker/queue/applied-events.ts";
import { Meta } from "../../worker/queue/meta.ts";
import { Outbox } from "../../worker/queue/outbox.ts";
import { pruneRepoJournals } from "../../worker/queue/prune-journals.ts";
import { Runs, type Run } from "../../worker/queue/runs.ts";
import { RETENTION } from "../../worker/storage/limits.ts";
import { Deliveries } from "../../worker/supervisor/deliveries.ts";
import { Inbox } from "../../worker/supervisor/inbox.ts";
import { MetaQueue } from "../../worker/supervisor/meta-queue.ts";

const DAY = 24 * 60 * 60 * 1000;
const freshSupervisor = () => env.WORKSPACE_SUPERVISOR.getByName(`journals-${crypto.randomUUID()}`);
const freshQueue = () => env.REPO_QUEUE.getByName(`journals-${crypto.randomUUID()}`);

const delivery = (id: string, receivedAt: number) => ({
  id,
  event: "issues",
  action: "opened",
  hookId: null,
  receivedAt,
  outcome: "routed" as const,
});

const issueEvent = (number: number) => ({
  kind: "issue" as const,
  action: "opened",
  repo: "someone/elsewhere",
  number,
  contentId: `I_${number}`,
  title: `Issue ${number}`,
  body: null,
  state: "open",
  stateReason: null,
  assignee: null,
  sender: null,
});

function newRun(runs: Runs, number: number, at: number): Run {
  return runs.create({
    runId: `r-${number}-${crypto.randomUUID().slice(0, 8)}`,
    number,
    itemId: `PVTI_${number}`,
    fence: runs.nextFence(),
    agentId: "agent",
    attempt: 1,
    lockKeys: "docs",
    leaseExpires: at + 60_000,
    lastHeartbeat: at,
    boardWrittenAt: at,
    startedAt: at,
  });
}

describe("the supervisor's journals", () => {
  it("are pruned when its agenda's pruning is due: deliveries past the dedupe window, old meta entries, events never routed", async () => {
    const stub = freshSupervisor();
    const now = Date.now();
    await runInDurableObject(stub, (_, state) => {
      const deliveries = new Deliveries(state.storage.sql);
      deliveries.record(delivery("old", now - RETENTION.deliveries.maxAgeMs - DAY));
      deliveries.record(delivery("recent", now - DAY));
      deliveries.record({ ...delivery("stuck", now - RETENTION.inbox.maxAgeMs - DAY), outcome: "queued" });
      new Inbox(state.storage.sql).add("stuck", issueEvent(1), now - RETENTION.inbox.maxAgeMs - DAY);
      const meta = new MetaQueue(state.storage.sql);
      meta.record("pause", "acme/widgets", null, "paused long ago", now - RETENTION.metaQueue.maxAgeMs - DAY);
      meta.record("resume", "acme/widgets", null, "resumed today", now);
      // As if the six hours between prunings had passed.
      new Agenda(state.storage.sql).set("prune", "prune", now);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const state = await stub.state(50);
    expect(state.deliveries.map((d) => [d.id, d.outcome])).toEqual([
      ["recent", "routed"],
      ["stuck", "failed"],
    ]);
    expect(state.deliveries.find((d) => d.id === "stuck")?.detail).toMatch(
      /reconciliation reads the whole board/,
    );
    expect(state.pendingRoutes).toBe(0);
    expect(state.metaQueue.map((m) => m.detail)).toEqual(["resumed today"]);
  });

  it("keep at most their row cap, newest first", async () => {
    const stub = freshSupervisor();
    await runInDurableObject(stub, (_, state) => {
      const now = Date.now();
      const deliveries = new Deliveries(state.storage.sql);
      const inbox = new Inbox(state.storage.sql);
      const meta = new MetaQueue(state.storage.sql);
      for (let i = 0; i < 5; i += 1) {
        deliveries.record(delivery(`d${i}`, now - 5 + i));
        inbox.add(`d${i}`, issueEvent(i), now - 5 + i);
        meta.record("pause", null, null, `m${i}`, now - 5 + i);
      }
      const cap = { maxAgeMs: DAY, maxRows: 2 };
      expect(deliveries.prune(now, cap)).toBe(3);
      expect(deliveries.recent(10).map((d) => d.id)).toEqual(["d4", "d3"]);
      expect(inbox.prune(now, cap).sort()).toEqual(["d0", "d1", "d2"]);
      expect(inbox.list("pending").map((e) => e.deliveryId)).toEqual(["d3", "d4"]);
      expect(meta.prune(now, cap)).toBe(3);
      expect(meta.recent(10).map((m) => m.detail)).toEqual(["m4", "m3"]);
    });
  });

  it("cut a long detail to its bound with a marker", async () => {
    await runInDurableObject(freshSupervisor(), (_, state) => {
      const meta = new MetaQueue(state.storage.sql);
      meta.record("steer", null, null, "d".repeat(1_000_000), Date.now());
      const [entry] = meta.recent(1);
      expect(entry?.detail).toMatch(/^d+… \[truncated \d+ bytes\]$/);
      expect(entry?.detail.length).toBeLessThanOrEqual(4096);
    });
  });
});

describe("the RepoQueue's journals", () => {
  it("drop applied frames, applied events and finished runs past their age; live runs stay", async () => {
    await runInDurableObject(freshQueue(), (_, state) => {
      const sql = state.storage.sql;
      const now = Date.now();
      const runs = new Runs(sql);
      const outbox = new Outbox(sql);
      const longAgo = now - RETENTION.finishedRuns.maxAgeMs - DAY;
      const oldLive = newRun(runs, 1, longAgo);
      const oldFinished = newRun(runs, 2, longAgo);
      runs.finish(oldFinished.runId, "failed", "exit 1", longAgo);
      const recentFinished = newRun(runs, 3, now);
      runs.finish(recentFinished.runId, "succeeded", "2 commits", now);
      outbox.recordApplied("old-frame", "{}", now - RETENTION.appliedFrames.maxAgeMs - DAY);
      outbox.recordApplied("new-frame", "{}", now);
      sql.exec(
        "INSERT INTO applied_events (delivery_id, applied_at) VALUES (?, ?), (?, ?)",
        "old-event",
        now - RETENTION.appliedEvents.maxAgeMs - DAY,
        "new-event",
        now,
      );

      const pruned = pruneRepoJournals({ sql, runs, outbox }, now, (work) =>
        state.storage.transactionSync(work),
      );
      expect(pruned).toEqual({ appliedFrames: 1, appliedEvents: 1, finishedRuns: 1 });
      expect(runs.get(oldLive.runId)?.state).toBe("claiming");
      expect(runs.get(oldFinished.runId)).toBeNull();
      expect(runs.get(recentFinished.runId)?.outcome).toBe("succeeded");
      expect([outbox.appliedReply("old-frame"), outbox.appliedReply("new-frame")]).toEqual([null, "{}"]);
      const events = sql.exec<{ id: string }>("SELECT delivery_id AS id FROM applied_events").toArray();
      expect(events.map((e) => e.id)).toEqual(["new-event"]);
      // Fences keep growing whatever was pruned.
      expect(runs.nextFence()).toBe(4);
    });
  });

  it("are pruned by the RepoQueue's alarm when its agenda's pruning is due", async () => {
    const stub = freshQueue();
    const now = Date.now();
    await runInDurableObject(stub, async (_, state) => {
      const sql = state.storage.sql;
      new Meta(sql).set("repo", "phoenix-agentic/Phoenix-Agentic-Website-Backend");
      const outbox = new Outbox(sql);
      outbox.recordApplied("old-frame", "{}", now - RETENTION.appliedFrames.maxAgeMs - DAY);
      outbox.recordApplied("new-frame", "{}", now);
      // As if the six hours between prunings had passed.
      const agenda = new Agenda(sql);
      agenda.set("prune", "prune", now);
      await armAlarm(state.storage, agenda, now);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await runInDurableObject(stub, (_, state) => {
      const outbox = new Outbox(state.storage.sql);
      expect([outbox.appliedReply("old-frame"), outbox.appliedReply("new-frame")]).toEqual([null, "{}"]);
    });
  });

  it("keep at most their row cap of the newest, and never count live runs", async () => {
    await runInDurableObject(freshQueue(), (_, state) => {
      const sql = state.storage.sql;
      const now = Date.now();
      const runs = new Runs(sql);
      const outbox = new Outbox(sql);
      const live = newRun(runs, 100, now - 10);
      const finished = [0, 1, 2, 3].map((i) => {
        const run = newRun(runs, i, now - 10 + i);
        runs.finish(run.runId, "failed", "exit 1", now - 10 + i);
        return run.runId;
      });
      for (let i = 0; i < 4; i += 1) {
        outbox.recordApplied(`f${i}`, "{}", now - 10 + i);
        sql.exec("INSERT INTO applied_events (delivery_id, applied_at) VALUES (?, ?)", `e${i}`, now - 10 + i);
      }
      const cap = { maxAgeMs: DAY, maxRows: 1 };
      expect(runs.pruneFinished(now, cap)).toBe(3);
      expect(runs.live().map((r) => r.runId)).toEqual([live.runId]);
      expect(runs.recent(10).map((r) => r.runId)).toEqual([finished[3], live.runId]);
      expect(outbox.pruneApplied(now, cap)).toBe(3);
      expect(outbox.appliedReply("f3")).toBe("{}");
      expect(pruneAppliedEvents(sql, now, cap)).toBe(3);
      expect(sql.exec("SELECT delivery_id FROM applied_events").toArray()).toEqual([{ delivery_id: "e3" }]);
    });
  });
});
