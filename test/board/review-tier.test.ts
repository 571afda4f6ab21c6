/**
 * The review tier and the QA decision of a run's change (seed: "Tiered review policy", "QA
 * gating policy"), from the item's area, the areas its paths touch and its commits' types,
 * on the shipped Phoenix workspace config.
 */
import { describe, expect, it } from "vitest";
import bundled from "../../workspace.config.json";
import { parseWorkspaceConfig, type RepoConfig } from "../../worker/config/workspace-config.ts";
import { conventionalType, decideReview } from "../../worker/pr/review-tier.ts";

const config = parseWorkspaceConfig(bundled);
const repo = (name: string): RepoConfig => {
  const found = config.repos.find((candidate) => candidate.name.endsWith(`/${name}`));
  if (!found) throw new Error(name);
  return found;
};
const ENGINE = repo("Phoenix-Agentic-Engine");
const BACKEND = repo("Phoenix-Agentic-Engine-Backend");
const decide = (r: RepoConfig, area: string, subjects: string[], paths: string[]) =>
  decideReview(r, config, { area, subjects, paths });

describe("review tiers", () => {
  it("makes any change to Engine's core high risk, with QA", () => {
    const decision = decide(ENGINE, "core", ["fix(core): scene ids"], ["core/scene.cpp"]);
    expect(decision).toMatchObject({ tier: "high", qa: "required" });
  });

  it("makes a core change high risk even from an item of another area", () => {
    expect(
      decide(ENGINE, "module/mcp", ["feat: x"], ["modules/ultimate_ai/mcp/a.cpp", "core/b.cpp"]).tier,
    ).toBe("high");
  });

  it("makes a docs-only change low risk and skips QA", () => {
    expect(decide(BACKEND, "docs", ["docs: retries"], ["docs/retries.md"])).toMatchObject({
      tier: "low",
      qa: "skipped",
      why: "docs only",
    });
  });

  it("makes a test-only change low risk and skips QA", () => {
    expect(decide(BACKEND, "worker", ["test: retry backoff"], ["worker/retry.test.ts"])).toMatchObject({
      tier: "low",
      qa: "skipped",
    });
  });

  it("makes a change of only chore and ci commits low risk, whatever its paths", () => {
    const decision = decide(BACKEND, "ci", ["chore: bump node", "ci: cache"], [".github/workflows/ci.yml"]);
    expect(decision).toMatchObject({ tier: "low", qa: "skipped" });
  });

  it("makes a feature in one medium area medium risk, with QA", () => {
    expect(decide(BACKEND, "gateway", ["feat(gateway): tokens"], ["gateway/bucket.ts"])).toMatchObject({
      tier: "medium",
      qa: "required",
    });
  });

  it("makes a behaviour change across two medium areas high risk", () => {
    expect(decide(BACKEND, "gateway", ["feat: both"], ["gateway/a.ts", "worker/b.ts"]).tier).toBe("high");
  });

  it("does not let a chore commit hide a behaviour change among its commits", () => {
    expect(decide(BACKEND, "gateway", ["chore: tidy", "fix: bucket"], ["gateway/a.ts"]).qa).toBe("required");
  });

  it("follows the configured QA tiers: QA only for high when so configured", () => {
    const onlyHigh = parseWorkspaceConfig({ ...bundled, qa: { requiredFor: ["high"] } });
    const decision = decideReview(BACKEND, onlyHigh, {
      area: "gateway",
      subjects: ["feat: x"],
      paths: ["gateway/a.ts"],
    });
    expect(decision).toMatchObject({ tier: "medium", qa: "skipped" });
  });

  it("reads conventional-commit types, scopes and breaking marks", () => {
    expect(conventionalType("feat(ui)!: x")).toBe("feat");
    expect(conventionalType("Docs: y")).toBe("docs");
    expect(conventionalType("Update README")).toBeNull();
  });
});
