/**
 * The fault simulation over many seeds (`npm run bench -- fault-sim`): 100 seeds by default
 * (`FAULT_SIM_SEEDS=<n>`, `FAULT_SIM_FROM=<first seed>`), each a full fault and calm phase
 * checked by the invariant checker. Reports the seeds that passed and the time a seed takes;
 * every failing seed is printed on stderr with the command that replays it, and fails the bench.
 */
import { runSeed } from "../test/sim/run-seed.ts";
import type { BenchResult } from "./report.ts";

export async function faultSim(): Promise<BenchResult> {
  const count = Number(process.env.FAULT_SIM_SEEDS ?? 100);
  const from = Number(process.env.FAULT_SIM_FROM ?? 1);
  const started = performance.now();
  const failed: number[] = [];
  const wall: number[] = [];
  const totals: Record<string, number> = {};
  for (let seed = from; seed < from + count; seed += 1) {
    const result = await runSeed(seed);
    wall.push(result.wallMs);
    for (const [key, value] of Object.entries(result.stats)) totals[key] = (totals[key] ?? 0) + value;
    if (!result.ok) {
      failed.push(seed);
      process.stderr.write(`${result.report.split("\n").slice(0, 12).join("\n")}\n`);
    }
    process.stderr.write(
      `fault-sim: seed ${seed} ${result.ok ? "ok" : "FAILED"} in ${(result.wallMs / 1000).toFixed(1)} s\n`,
    );
  }
  const ms = performance.now() - started;
  const passed = count - failed.length;
  const perSeed = wall.reduce((sum, value) => sum + value, 0) / Math.max(1, wall.length);
  if (failed.length > 0)
    throw new Error(`fault-sim: ${failed.length} of ${count} seed(s) failed: ${failed.join(", ")}`);
  return {
    bench: "fault-sim",
    title: `Fault simulation, seeds ${from}-${from + count - 1}`,
    rows: [
      {
        case: "seeds passing every invariant",
        value: passed,
        unit: "seeds",
        baselineName: "seeds run",
        baseline: count,
        ratio: passed / count,
      },
      {
        case: "wall time per seed",
        value: Math.round(perSeed),
        unit: "ms",
        baselineName: "virtual time per seed",
        baseline: Math.round(((totals.virtualMinutes ?? 0) / Math.max(1, count)) * 60_000),
        ratio: perSeed / Math.max(1, ((totals.virtualMinutes ?? 0) / Math.max(1, count)) * 60_000),
        note: `${(ms / 1000).toFixed(0)} s in all`,
      },
    ],
    details: { failed, totals },
    ms,
  };
}
