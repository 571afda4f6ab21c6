/**
 * Timing for the benchmarks: a loop under test and its baseline loop, calibrated to the
 * same wall time, warmed up, then run in alternating rounds so that both see the same
 * machine load; figures are medians of the rounds. Used by the CPU benchmarks.
 */

/** Runs `iterations` operations and returns a value that depends on all of them (so none is optimised away). */
export type Loop = (iterations: number) => number;

export type Comparison = {
  /** Median operations per second of the loop under test. */
  opsPerSec: number;
  baselineOpsPerSec: number;
  /** Median of each round's (time per op) / (baseline time per op): the cost in baselines. */
  costRatio: number;
  rounds: number;
};

export type CompareOptions = { rounds?: number; roundMs?: number; warmupMs?: number };

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

/** Anything the loops return ends up here, so the JIT cannot drop their work. */
let sink = 0;
export const sinkValue = (): number => sink;

function timed(loop: Loop, iterations: number): number {
  const start = performance.now();
  sink += loop(iterations);
  return performance.now() - start;
}

/** Iterations that take about `targetMs`, found by doubling (bounded at 2^30). */
function calibrate(loop: Loop, targetMs: number): number {
  let iterations = 1;
  for (;;) {
    const ms = timed(loop, iterations);
    if (ms >= targetMs / 8 || iterations >= 2 ** 30) {
      return Math.max(1, Math.round((iterations * targetMs) / Math.max(ms, 0.001)));
    }
    iterations *= 2;
  }
}

export function compare(baseline: Loop, subject: Loop, options: CompareOptions = {}): Comparison {
  const rounds = options.rounds ?? 15;
  const roundMs = options.roundMs ?? 50;
  // Warm-up: each loop runs for about half of `warmupMs`, so the JIT settles before calibration.
  const warmupMs = options.warmupMs ?? 300;
  for (const loop of [baseline, subject]) timed(loop, calibrate(loop, warmupMs / 2));
  const baselineIterations = calibrate(baseline, roundMs);
  const subjectIterations = calibrate(subject, roundMs);
  const ops: number[] = [];
  const baselineOps: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const baselineMs = timed(baseline, baselineIterations);
    const subjectMs = timed(subject, subjectIterations);
    const perOp = subjectMs / subjectIterations;
    const baselinePerOp = baselineMs / baselineIterations;
    ops.push(1000 / perOp);
    baselineOps.push(1000 / baselinePerOp);
    ratios.push(perOp / baselinePerOp);
  }
  return {
    opsPerSec: median(ops),
    baselineOpsPerSec: median(baselineOps),
    costRatio: median(ratios),
    rounds,
  };
}
