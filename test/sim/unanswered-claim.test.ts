/**
 * A claim whose write landed on the board but whose answer was lost (a gateway's 502 after the
 * write): the fault simulation's seed 5 found the item left claimed by the dispatcher for ever,
 * never dispatched. The claim is now held as written and released by a later pass, and the
 * item is dispatched. Waits follow the simulated clock.
 */
import { afterEach, describe, expect, it } from "vitest";
import { evaluateGate } from "../../worker/board/gate.ts";
import type { LogEntry } from "./event-log.ts";
import { boardTruth } from "./board-truth.ts";
import { SIM_START, SimWorld } from "./sim-world.ts";

describe("a claim GitHub wrote but never answered", () => {
  let world: SimWorld | undefined;
  afterEach(async () => {
    await world?.close();
  });

  it("is released by a later pass, and the item dispatched", { timeout: 60_000 }, async () => {
    const sim = new SimWorld(31);
    world = sim;
    sim.calm = true;
    await sim.start();
    sim.cron(SIM_START + 1_000);
    const { log, scheduler } = sim.ctx;
    const until = async (found: (entry: LogEntry) => boolean, what: string): Promise<LogEntry> => {
      const limit = scheduler.now + 60 * 60_000;
      for (;;) {
        const entry = log.entries.find(found);
        if (entry !== undefined) return entry;
        if (!(await sim.step(limit))) throw new Error(`no ${what} within an hour`);
      }
    };
    await sim.runUntil(SIM_START + 5 * 60_000);
    // A Backlog item that would run at once if it were Ready.
    const board = boardTruth(sim.emulator.store, sim.config);
    const now = scheduler.now;
    const item = board.find((candidate) => {
      if (candidate.fields.status !== "Backlog") return false;
      const ready = { ...candidate, fields: { ...candidate.fields, status: "Ready" } };
      const others = board.map((other) => (other.itemId === candidate.itemId ? ready : other));
      return evaluateGate({ item: ready, board: others, config: sim.config, now }).kind === "runnable";
    });
    if (item === undefined) throw new Error("no Backlog item could run");
    const admin = (path: string, body: unknown) =>
      fetch(`${sim.emulator.url}/_emulator/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const ref = `${item.repo ?? ""}#${item.number ?? 0}`;
    await admin("field-value", { item: ref, field: "Status", value: "Ready", actor: "alice" });
    await admin("server-errors", { requests: 8, status: 502, resource: "graphql", afterWrite: true });
    const lost = (e: LogEntry) =>
      e.event === "claim_lost" && e.repo === item.repo && e.number === item.number;
    await until(lost, "lost claim");
    expect(String(log.entries.find(lost)?.reason)).toContain("board write failed");

    const dispatched = await until(
      (e) => e.kind === "dispatch" && e.repo === item.repo && e.issue === item.number,
      "dispatch of the item",
    );
    expect(dispatched.t).toBeGreaterThan(Number(log.entries.find(lost)?.t));
  });
});
