/**
 * `npm run bench`: runs every benchmark (or those named on the command line), prints a
 * table and one JSON line per benchmark on stdout, progress on stderr. Figures are ratios
 * against baselines measured in the same run; it exits non-zero only when a benchmark fails.
 */
import { boardBudget } from "./board-budget.ts";
import { eventCore } from "./event-core.ts";
import { faultSim } from "./fault-sim.ts";
import { gateThroughput } from "./gate-throughput.ts";
import { globOverlap } from "./glob-overlap.ts";
import { sinkValue } from "./measure.ts";
import { formatTable, jsonLine, type BenchResult } from "./report.ts";

const BENCHMARKS: ReadonlyArray<[string, () => BenchResult | Promise<BenchResult>]> = [
  ["board-budget", boardBudget],
  ["event-core", eventCore],
  ["fault-sim", faultSim],
  ["gate-throughput", gateThroughput],
  ["glob-overlap", globOverlap],
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !BENCHMARKS.some(([known]) => known === name));
if (unknown.length > 0) {
  console.error(
    `Unknown benchmark(s): ${unknown.join(", ")}. Known: ${BENCHMARKS.map(([name]) => name).join(", ")}.`,
  );
  process.exit(2);
}

const started = performance.now();
const results: BenchResult[] = [];
let failed = 0;
for (const [name, run] of BENCHMARKS) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  try {
    const result = await run();
    results.push(result);
    process.stderr.write(`bench: ${name} done in ${(result.ms / 1000).toFixed(1)} s\n`);
  } catch (error) {
    failed += 1;
    process.stderr.write(
      `bench: ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
}

const seconds = (performance.now() - started) / 1000;
const peakRssMb = process.resourceUsage().maxRSS / 1024;
console.log(formatTable(results));
console.log(
  `\n${results.length} benchmark(s) in ${seconds.toFixed(1)} s, peak RSS ${peakRssMb.toFixed(0)} MB, node ${process.version}` +
    ` (ratio = cost against the baseline of the same run; below 1x is cheaper)\n`,
);
for (const result of results) console.log(jsonLine(result));
// Keeps the measured loops' results observable.
if (Number.isNaN(sinkValue())) console.error("bench: the loops returned NaN");
process.exitCode = failed > 0 ? 1 : 0;
