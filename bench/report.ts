/**
 * What a benchmark reports and how `run.ts` prints it: one table for people, then one JSON
 * line per benchmark for tools. Every row is a figure and its baseline from the same run,
 * with their ratio expressed as a cost: below 1 is cheaper than the baseline.
 */

export type Row = {
  case: string;
  value: number;
  unit: string;
  baselineName: string;
  baseline: number;
  /** Cost relative to the baseline (points / baseline points, or time per op / baseline time per op). */
  ratio: number;
  note?: string;
};

export type BenchResult = {
  bench: string;
  title: string;
  rows: Row[];
  /** Anything else worth keeping in the JSON line (board mix, verdict counts, memory). */
  details?: Record<string, unknown>;
  ms: number;
};

/** Four significant digits: more would be noise on a shared machine. */
const round = (value: number): number => (Number.isFinite(value) ? Number(value.toPrecision(4)) : value);

function human(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (Math.abs(value) >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return String(round(value));
}

function ratioText(ratio: number): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  return ratio >= 100
    ? `${ratio.toFixed(0)}x`
    : ratio >= 10
      ? `${ratio.toFixed(1)}x`
      : `${ratio.toFixed(3)}x`;
}

export function formatTable(results: readonly BenchResult[]): string {
  const header = ["benchmark", "case", "value", "baseline", "ratio", "note"];
  const lines = results.flatMap((result) =>
    result.rows.map((row) => [
      result.bench,
      row.case,
      `${human(row.value)} ${row.unit}`,
      `${human(row.baseline)} (${row.baselineName})`,
      ratioText(row.ratio),
      row.note ?? "",
    ]),
  );
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line[column] ?? "").length)),
  );
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [format(header), format(widths.map((width) => "-".repeat(width))), ...lines.map(format)].join("\n");
}

export function jsonLine(result: BenchResult): string {
  return JSON.stringify({
    bench: result.bench,
    title: result.title,
    ms: Math.round(result.ms),
    rows: result.rows.map((row) => ({
      ...row,
      value: round(row.value),
      baseline: round(row.baseline),
      ratio: round(row.ratio),
    })),
    ...(result.details === undefined ? {} : { details: result.details }),
  });
}
