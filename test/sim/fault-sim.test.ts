/**
 * The fault simulation for a few seeds: each run must keep every invariant (see
 * invariants.ts), and one seed run twice must give the same event log. Seeds 1 and 8 each go
 * through what the simulation found in the worker: a release GitHub refused (retried), a claim
 * whose answer was lost (released), a parked item a person set Ready (run again); each has a
 * focused test of its own beside this one, as has a webhook overtaken by a later change.
 * `SIM_SEED=<n> [SIM_FAULT_MINUTES=<m>]` runs that one seed instead; a failing seed prints
 * that command. The bench runs 100 seeds (`npm run bench -- fault-sim`).
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_FAULT_MINUTES, runSeed, type SeedOptions } from "./run-seed.ts";

const only = process.env.SIM_SEED;
const cases: Array<{ seed: number } & SeedOptions> =
  only === undefined
    ? [{ seed: 1 }, { seed: 8 }]
    : [{ seed: Number(only), faultMinutes: Number(process.env.SIM_FAULT_MINUTES ?? DEFAULT_FAULT_MINUTES) }];

describe("the fault simulation", () => {
  for (const { seed, ...options } of cases) {
    it(`keeps every invariant through seed ${seed}'s faults`, { timeout: 120_000 }, async () => {
      const result = await runSeed(seed, options);
      if (!result.ok) throw new Error(result.report);
      expect(result.stats.dispatches).toBeGreaterThan(0);
      expect(result.stats.faults).toBeGreaterThan(0);
    });
  }

  it.skipIf(only !== undefined)("replays a seed to the same event log", { timeout: 120_000 }, async () => {
    const first = await runSeed(3, { faultMinutes: 30, calmMinutes: 60 });
    const second = await runSeed(3, { faultMinutes: 30, calmMinutes: 60 });
    expect(second.entries).toBe(first.entries);
    expect(second.hash).toBe(first.hash);
  });
});
