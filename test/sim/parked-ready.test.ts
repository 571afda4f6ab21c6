/**
 * A parked item that a person moves back to Ready on the board runs again (the fault
 * simulation's seed 2 found it left Ready and never dispatched: the queue only unparked on
 * `wf retry`). In the simulated workspace, one item's runs fail until it is parked. Waits
 * follow the simulated clock.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { LogEntry } from "./event-log.ts";
import { boardTruth } from "./board-truth.ts";
import { SIM_START, SimWorld } from "./sim-world.ts";

describe("a parked item set Ready on the board", () => {
  let world: SimWorld | undefined;
  afterEach(async () => {
    await world?.close();
  });

  it("is dispatched again with its attempts reset", { timeout: 60_000 }, async () => {
    const sim = new SimWorld(21);
    world = sim;
    sim.calm = true;
    await sim.start();
    sim.cron(SIM_START + 1_000);
    const { log, scheduler } = sim.ctx;
    const until = async (found: (entry: LogEntry) => boolean, what: string): Promise<LogEntry> => {
      const limit = scheduler.now + 2 * 60 * 60_000;
      for (;;) {
        const entry = log.entries.find(found);
        if (entry !== undefined) return entry;
        if (!(await sim.step(limit))) throw new Error(`no ${what} within two hours`);
      }
    };
    const first = await until((e) => e.kind === "dispatch", "dispatch");
    const target = (e: LogEntry) => e.kind === "dispatch" && e.repo === first.repo && e.issue === first.issue;
    const failed = new Set<unknown>();
    // Every run of the item fails at once, until the queue parks it.
    for (let round = 0; ; round += 1) {
      if (round > 3) throw new Error("the item was never parked");
      const dispatch = await until((e) => target(e) && !failed.has(e.runId), "next dispatch");
      failed.add(dispatch.runId);
      const run = await (async () => {
        for (;;) {
          const live = sim.agents.flatMap((agent) => [...(agent.proc?.runs.values() ?? [])]);
          const found = live.find((r) => r.runId === dispatch.runId);
          if (found !== undefined) return found;
          if (!(await sim.step(scheduler.now + 60_000)))
            throw new Error("the dispatch never reached an agent");
        }
      })();
      run.finish({ kind: "exit", exit: { kind: "exited", exitCode: 1, lastStderrLine: null } });
      const settled = await until(
        (e) => e.event === "run_finished" && e.runId === dispatch.runId,
        "run_finished",
      );
      if (settled.status === "Triage") break;
    }
    const onBoard = () =>
      boardTruth(sim.emulator.store, sim.config).find(
        (i) => i.repo === first.repo && i.number === first.issue,
      );
    await until(() => onBoard()?.fields.status === "Triage", "Triage on the board");

    const ref = `${String(first.repo)}#${String(first.issue)}`;
    await fetch(`${sim.emulator.url}/_emulator/field-value`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ item: ref, field: "Status", value: "Ready", actor: "alice" }),
    });
    await until(
      (e) => e.event === "unparked" && e.repo === first.repo && e.number === first.issue,
      "unparked",
    );
    const again = await until((e) => target(e) && !failed.has(e.runId), "dispatch after unparking");
    expect(again.fence).toBeGreaterThan(Number(first.fence));
  });
});
