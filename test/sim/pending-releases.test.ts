/**
 * Releases the board still owes (worker/queue/pending-releases.ts): what a retry writes, the
 * table over node:sqlite, and, in the simulated workspace, a finished run whose release GitHub
 * refused (the fault simulation's seed 1 found it left claimed for ever) released by a later
 * pass. Waits follow the simulated clock.
 */
import { afterEach, describe, expect, it } from "vitest";
import { emptyFields, type BoardItem } from "../../worker/board/board-item.ts";
import { PENDING_RELEASES_SCHEMA, PendingReleases, retryWrite } from "../../worker/queue/pending-releases.ts";
import { NodeSql } from "../support/node-sql.ts";
import { boardTruth } from "./board-truth.ts";
import { SIM_START, SimWorld } from "./sim-world.ts";

const own = { isOwnClaim: (owner: string) => owner.startsWith("worker-factory/"), inProgress: "In Progress" };
const release = { itemId: "I1", number: 3, runId: "r1", status: "In Review", since: 0, keepLock: false };

function item(fields: Partial<BoardItem["fields"]>): BoardItem {
  return {
    itemId: "I1",
    contentType: "Issue",
    contentId: "C1",
    repo: "sim-org/alpha",
    number: 3,
    title: "t",
    url: null,
    body: "",
    state: "OPEN",
    stateReason: null,
    merged: false,
    isArchived: false,
    updatedAt: "2031-03-03T09:00:00Z",
    fields: { ...emptyFields(), ...fields },
    blockedBy: [],
    closes: [],
  };
}

describe("a release the board still owes", () => {
  it("writes the run's Status while the board still shows the claim", () => {
    const claimed = item({ status: "In Progress", claimOwner: "worker-factory/a1", lockKey: "api" });
    expect(retryWrite(claimed, release, own)).toEqual({ status: "In Review" });
  });

  it("clears the claim but keeps a Status a person set since", () => {
    const moved = item({ status: "Done", claimOwner: "worker-factory/a1", lockKey: "api" });
    expect(retryWrite(moved, release, own)).toEqual({ status: null });
  });

  it("owes nothing once the claim is gone or is someone else's", () => {
    expect(retryWrite(item({ status: "Ready" }), release, own)).toBeNull();
    expect(retryWrite(item({ status: "In Progress", claimOwner: "alice" }), release, own)).toBeNull();
  });

  it("is kept until its own run's release is crossed off", () => {
    const sql = new NodeSql();
    sql.exec(PENDING_RELEASES_SCHEMA);
    const releases = new PendingReleases(sql);
    releases.add(release);
    releases.done("I1", "r0");
    expect(releases.list()).toEqual([release]);
    releases.done("I1", "r1");
    expect(releases.count()).toBe(0);
  });
});

describe("a finished run whose release GitHub refused", () => {
  let world: SimWorld | undefined;
  afterEach(async () => {
    await world?.close();
  });

  it("is released on the board by a later pass", { timeout: 60_000 }, async () => {
    world = new SimWorld(11);
    world.calm = true;
    await world.start();
    world.cron(SIM_START + 1_000);
    const { log, scheduler } = world.ctx;
    const until = async (kind: string, event?: string, runId?: unknown): Promise<Record<string, unknown>> => {
      const limit = scheduler.now + 60 * 60_000;
      for (;;) {
        const found = log.entries.find(
          (e) =>
            e.kind === kind &&
            (event === undefined || e.event === event) &&
            (runId === undefined || e.runId === runId),
        );
        if (found !== undefined) return found;
        if (!(await world!.step(limit))) throw new Error(`no ${kind} ${event ?? ""} within an hour`);
      }
    };
    const finished = await until("agent_finished");
    // Every GraphQL request for a while answers 500: the run_finished frame is on its way.
    await fetch(`${world.emulator.url}/_emulator/server-errors`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ requests: 12, status: 500, resource: "graphql" }),
    });
    await until("core", "release_failed", finished.runId);
    const dispatch = log.entries.find((e) => e.kind === "dispatch" && e.runId === finished.runId);
    const onBoard = () =>
      boardTruth(world!.emulator.store, world!.config).find(
        (i) => i.number === dispatch?.issue && i.repo === dispatch?.repo,
      );
    expect(onBoard()?.fields.claimOwner).toMatch(/^worker-factory\//);

    const retried = await until("core", "release_retried", finished.runId);
    expect(retried.t).toBeGreaterThan(Number(finished.t));
    // A succeeded run hands its item to its pull request: the lock stays, the lease goes.
    expect(onBoard()?.fields).toMatchObject({ leaseExpires: null, lastHeartbeat: null });
    expect(onBoard()?.fields.claimOwner).toMatch(/^worker-factory\//);
    expect(["In Review", "QA Required"]).toContain(onBoard()?.fields.status);
  });
});
