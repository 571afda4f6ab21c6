/**
 * The workspace config's `pullRequests` and `qa` sections: how a succeeded run becomes a pull
 * request (labels, merge method, branch clean-up, which bases an item may name),
 * how its review tier and its need for QA are decided (conventional-commit types, docs and
 * test paths), and how long QA may wait before it is escalated. Pure zod; workspace-config.ts
 * puts it in the config.
 */
import { z } from "zod";

export const MergeMethod = z.enum(["SQUASH", "MERGE", "REBASE"]);
export type MergeMethod = z.infer<typeof MergeMethod>;

export const RiskLevel = z.enum(["low", "medium", "high"]);
export type RiskLevel = z.infer<typeof RiskLevel>;

export const PullRequestSettings = z
  .object({
    /** The merge method auto-merge uses when the repo allows it; else the first the repo allows. */
    mergeMethod: MergeMethod.default("SQUASH"),
    /** Delete the head branch after the merge when GitHub does not (the repo's own setting is off). */
    deleteBranch: z.boolean().default(true),
    /** The review tier label is `<prefix><tier>`: `risk:low`, `risk:medium`, `risk:high`. */
    labelPrefix: z.string().min(1).max(40).default("risk:"),
    /** Branches other than the repo's base an item may name as its base (`Base Branch`, or a line in the issue). */
    baseBranches: z.array(z.string().min(1)).default(["feature/*"]),
    /** Conventional-commit types that change no behaviour: a change made only of these is low risk. */
    lowRiskTypes: z
      .array(z.string().min(1))
      .default(["docs", "test", "tests", "chore", "ci", "style", "build"]),
  })
  .strict();
export type PullRequestSettings = z.infer<typeof PullRequestSettings>;

export const QaSettings = z
  .object({
    /** Risk levels whose behaviour changes wait for a person's QA (seed: "QA gating policy"). */
    requiredFor: z.array(RiskLevel).default(["medium", "high"]),
    /** Paths that are documentation: a change of only these skips QA when its checks pass. */
    docsPaths: z.array(z.string().min(1)).default(["**/*.md", "docs/**", "doc/**"]),
    /** Paths that are tests: a change of only these skips QA when its checks pass. */
    testPaths: z
      .array(z.string().min(1))
      .default(["test/**", "tests/**", "**/__tests__/**", "**/*.test.*", "**/*.spec.*"]),
    /** A QA item waiting longer than this is escalated in the meta queue and to the operator. */
    timeoutMinutes: z.number().positive().default(1440),
  })
  .strict();
export type QaSettings = z.infer<typeof QaSettings>;
