/**
 * The review tier and the QA decision of a run's change (seed: "Tiered review policy", "QA
 * gating policy"), from the item's area, the areas its changed paths fall in, and the
 * conventional-commit types of its commits: a high-risk area (Engine's `core`) or a behaviour
 * change across areas is high; a change that alters no behaviour (docs-only, test-only, or
 * only `docs:`/`test:`/`chore:`-like commits) is low; otherwise the riskiest area touched
 * decides. Behaviour changes in the tiers `qa.requiredFor` names need QA. Pure.
 */
import type { RepoConfig, RiskLevel, WorkspaceConfig } from "../config/workspace-config.ts";
import { globMatches, globsOverlap } from "../board/globs.ts";
import { findArea } from "../board/locks.ts";

export interface ChangeFacts {
  /** The item's Area. */
  area: string;
  /** Commit subjects of the branch, oldest first. */
  subjects: readonly string[];
  /** Changed paths against the base. */
  paths: readonly string[];
}

export interface ReviewDecision {
  tier: RiskLevel;
  /** A person's QA before review (`required`), or none when the checks pass (`skipped`). */
  qa: "required" | "skipped";
  behavioural: boolean;
  /** Areas the changed paths fall in (the item's own when none does). */
  areas: string[];
  /** Conventional-commit types of the commits (`?` for a subject that has none). */
  types: string[];
  why: string;
}

const ORDER: Record<RiskLevel, number> = { low: 0, medium: 1, high: 2 };
const riskiest = (levels: readonly RiskLevel[]): RiskLevel =>
  levels.reduce<RiskLevel>((worst, level) => (ORDER[level] > ORDER[worst] ? level : worst), "low");

/** `feat(ui)!: x` → `feat`; a subject without a conventional type → null. Merge commits are skipped. */
export function conventionalType(subject: string): string | null {
  const match = /^\s*([a-z][a-z0-9-]*)(\([^)]*\))?!?:\s/i.exec(subject);
  return match?.[1]?.toLowerCase() ?? null;
}

function areaOfPath(repo: RepoConfig, path: string): string | null {
  return repo.areas.find((area) => area.paths.some((pattern) => globsOverlap(pattern, path)))?.name ?? null;
}

export function decideReview(repo: RepoConfig, config: WorkspaceConfig, facts: ChangeFacts): ReviewDecision {
  const { qa, pullRequests } = config;
  const own = findArea(repo, facts.area);
  const touched = [...new Set(facts.paths.map((path) => areaOfPath(repo, path)).filter((a) => a !== null))];
  const areas = touched.length > 0 ? touched : [facts.area];
  const risks = [own?.risk ?? "medium", ...areas.map((name) => findArea(repo, name)?.risk ?? "medium")];
  const types = facts.subjects
    .filter((subject) => !/^merge\b/i.test(subject))
    .map((subject) => conventionalType(subject) ?? "?");
  const lowTypes = new Set(pullRequests.lowRiskTypes.map((type) => type.toLowerCase()));
  const isDocs = (path: string): boolean =>
    qa.docsPaths.some((pattern) => globMatches(pattern, path)) || areaOfPath(repo, path) === "docs";
  const isTest = (path: string): boolean =>
    qa.testPaths.some((pattern) => globMatches(pattern, path)) || areaOfPath(repo, path) === "tests";
  const docsOnly = facts.paths.length > 0 && facts.paths.every(isDocs);
  const testOnly = facts.paths.length > 0 && facts.paths.every(isTest);
  const choresOnly = types.length > 0 && types.every((type) => lowTypes.has(type));
  const behavioural = !(docsOnly || testOnly || choresOnly);
  const wideAreas = areas.filter((name) => ORDER[findArea(repo, name)?.risk ?? "medium"] >= ORDER.medium);
  let tier: RiskLevel;
  let why: string;
  if (riskiest(risks) === "high") {
    tier = "high";
    why = `it touches a high-risk area (${areas.join(", ")})`;
  } else if (!behavioural) {
    tier = "low";
    why = docsOnly
      ? "docs only"
      : testOnly
        ? "tests only"
        : `only ${[...new Set(types)].join(", ")} commits (no behaviour change)`;
  } else if (wideAreas.length > 1) {
    tier = "high";
    why = `a behaviour change across areas (${wideAreas.join(", ")})`;
  } else {
    tier = riskiest(risks);
    why = `a behaviour change (${[...new Set(types)].join(", ") || "no commit types"}) in ${areas.join(", ")}`;
  }
  const needsQa = behavioural && qa.requiredFor.includes(tier);
  return { tier, qa: needsQa ? "required" : "skipped", behavioural, areas, types, why };
}
