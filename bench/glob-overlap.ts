/**
 * Glob overlap: `globsOverlap` on pattern pairs like the lock rules meet (area paths
 * against Needed Files) and on adversarial ones (runs of `**` and `*`). Baseline: string
 * equality over the same pairs in the same loop. The blow-up check is the adversarial cost
 * in typical calls, and how the cost grows when the adversarial patterns double in length.
 */
import { globsOverlap } from "../worker/board/globs.ts";
import { compare, type Loop } from "./measure.ts";
import type { BenchResult, Row } from "./report.ts";

type Pair = readonly [string, string];

const TYPICAL: readonly Pair[] = [
  ["src/app/", "src/app/page.tsx"],
  ["src/app/", "src/components/button.tsx"],
  ["docs/**/*.md", "docs/guide/intro.md"],
  ["doc/", "phoenix_docs_*/"],
  ["sdk/*", "sdk/client/"],
  ["worker/board/*.ts", "worker/queue/*.ts"],
  [".github/workflows/", "scripts/release.sh"],
  ["core/", "core/math/vector3.cpp"],
  ["contracts/", "contracts/**/*.proto"],
  ["gateway/", "worker/"],
];

/** Pairs with `k` wildcard segments each: the shapes that make a naive matcher backtrack. */
function adversarial(k: number): Pair[] {
  const repeat = (part: string, joiner = ""): string => Array.from({ length: k }, () => part).join(joiner);
  return [
    [`${repeat("**", "/")}/*.ts`, `${repeat("*", "/")}/x.js`],
    [repeat("**/a*", "/"), `${repeat("*a/**", "/")}/b`],
    [`${repeat("*a")}*b`, `${repeat("*a")}*c`],
    [repeat("**/*"), `${repeat("*/**")}z`],
  ];
}

function overlapLoop(pairs: readonly Pair[]): Loop {
  return (iterations) => {
    let total = 0;
    for (let index = 0; index < iterations; index += 1) {
      const [a, b] = pairs[index % pairs.length] ?? ["", ""];
      if (globsOverlap(a, b)) total += 1;
    }
    return total;
  };
}

function equalityLoop(pairs: readonly Pair[]): Loop {
  return (iterations) => {
    let total = 0;
    for (let index = 0; index < iterations; index += 1) {
      const [a, b] = pairs[index % pairs.length] ?? ["", ""];
      if (a === b) total += 1;
    }
    return total;
  };
}

export function globOverlap(): BenchResult {
  const start = performance.now();
  const hard = adversarial(8);
  const harder = adversarial(16);
  const typical = compare(equalityLoop(TYPICAL), overlapLoop(TYPICAL));
  const worst = compare(equalityLoop(hard), overlapLoop(hard));
  const blowUp = compare(overlapLoop(TYPICAL), overlapLoop(hard));
  const doubling = compare(overlapLoop(hard), overlapLoop(harder), { rounds: 5 });
  const rows: Row[] = [
    {
      case: `typical (${TYPICAL.length} pairs)`,
      value: typical.opsPerSec,
      unit: "ops/s",
      baselineName: "string ===",
      baseline: typical.baselineOpsPerSec,
      ratio: typical.costRatio,
    },
    {
      case: `adversarial, 8 wildcards (${hard.length} pairs)`,
      value: worst.opsPerSec,
      unit: "ops/s",
      baselineName: "string ===",
      baseline: worst.baselineOpsPerSec,
      ratio: worst.costRatio,
    },
    {
      case: "adversarial vs typical",
      value: blowUp.opsPerSec,
      unit: "ops/s",
      baselineName: "typical",
      baseline: blowUp.baselineOpsPerSec,
      ratio: blowUp.costRatio,
      note: "the blow-up figure",
    },
    {
      case: "16 wildcards vs 8",
      value: doubling.opsPerSec,
      unit: "ops/s",
      baselineName: "8 wildcards",
      baseline: doubling.baselineOpsPerSec,
      ratio: doubling.costRatio,
      note: `cost grows as length^${Math.log2(doubling.costRatio).toFixed(1)}`,
    },
  ];
  return { bench: "glob-overlap", title: "globsOverlap ops per second", rows, ms: performance.now() - start };
}
