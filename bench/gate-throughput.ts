/**
 * Gate throughput: `evaluateGate` for every Ready item of a synthetic board (see
 * `gate-board.ts`), in candidates per second. Baseline: the same loop calling only
 * `requestedLocks`, the first step of the gate, so the ratio is what the rest costs.
 */
import { findRepo } from "../worker/config/workspace-config.ts";
import { evaluateGate, prepareBoard, type GateVerdict } from "../worker/board/gate.ts";
import { requestedLocks } from "../worker/board/locks.ts";
import { gateBoard } from "./gate-board.ts";
import { compare, type Loop } from "./measure.ts";
import type { BenchResult, Row } from "./report.ts";

const SIZES = [1_000, 5_000] as const;

export function gateThroughput(): BenchResult {
  const start = performance.now();
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  const gates: Loop[] = [];
  for (const size of SIZES) {
    const { config, board, candidates, issueStates, now } = gateBoard(size);
    // The repo loop prepares the board once per pass; the prepared loop measures that.
    const prepared = prepareBoard(board, config, now);
    const gate: Loop = (iterations) => {
      let total = 0;
      for (let index = 0; index < iterations; index += 1) {
        const item = candidates[index % candidates.length];
        if (item !== undefined)
          total += evaluateGate({ item, board, issueStates, config, now, prepared }).kind.length;
      }
      return total;
    };
    const unprepared: Loop = (iterations) => {
      let total = 0;
      for (let index = 0; index < iterations; index += 1) {
        const item = candidates[index % candidates.length];
        if (item !== undefined) total += evaluateGate({ item, board, issueStates, config, now }).kind.length;
      }
      return total;
    };
    const locksOnly: Loop = (iterations) => {
      let total = 0;
      for (let index = 0; index < iterations; index += 1) {
        const item = candidates[index % candidates.length];
        if (item !== undefined) total += requestedLocks(item, findRepo(config, item.repo ?? "")).ok ? 1 : 0;
      }
      return total;
    };
    gates.push(gate);
    const measured = compare(locksOnly, gate);
    rows.push({
      case: `${size}-item board, ${candidates.length} candidates`,
      value: measured.opsPerSec,
      unit: "candidates/s",
      baselineName: "requestedLocks only",
      baseline: measured.baselineOpsPerSec,
      ratio: measured.costRatio,
      note: `a full pass ${((candidates.length / measured.opsPerSec) * 1000).toFixed(1)} ms`,
    });
    const verdicts: Partial<Record<GateVerdict["kind"], number>> = {};
    for (const item of candidates) {
      const kind = evaluateGate({ item, board, issueStates, config, now }).kind;
      verdicts[kind] = (verdicts[kind] ?? 0) + 1;
    }
    details[`verdicts_${size}`] = verdicts;
    const indexed = compare(gate, unprepared, { rounds: 5 });
    rows.push({
      case: `${size}-item board, board not prepared per pass`,
      value: indexed.opsPerSec,
      unit: "candidates/s",
      baselineName: "prepared once per pass",
      baseline: indexed.baselineOpsPerSec,
      ratio: indexed.costRatio,
      note: "what prepareBoard saves",
    });
  }
  // Per-candidate cost against board size, with the board prepared once per pass.
  const [small, large] = gates;
  if (small !== undefined && large !== undefined) {
    const scaling = compare(small, large, { rounds: 5 });
    rows.push({
      case: `${SIZES[1]}-item vs ${SIZES[0]}-item board`,
      value: scaling.opsPerSec,
      unit: "candidates/s",
      baselineName: `${SIZES[0]}-item board`,
      baseline: scaling.baselineOpsPerSec,
      ratio: scaling.costRatio,
      note: `per-candidate cost grows as board size^${(Math.log(scaling.costRatio) / Math.log(SIZES[1] / SIZES[0])).toFixed(1)}`,
    });
  }
  return {
    bench: "gate-throughput",
    title: "evaluateGate candidates per second",
    rows,
    details,
    ms: performance.now() - start,
  };
}
