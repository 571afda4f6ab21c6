/**
 * The seed file format: a human-friendly description of orgs, repos (merge settings, branch
 * protection, collaborators, Copilot, an optional bare git repo, labels, branches, issues and
 * pull requests), and org projects with fields and items whose values are given by field
 * name. `seedToState` turns it into the store's state. Validated with zod on load.
 */
import { z } from "zod";
import { BranchProtection, ChangeType, MergeSettings } from "../store/pull-state-schema.ts";

/** `#12` (same repo) or `owner/name#12`. */
const IssueReference = z.string().regex(/^([\w.-]+\/[\w.-]+)?#\d+$/, "expected #12 or owner/name#12");

const SeedIssue = z.object({
  number: z.number().int().positive(),
  title: z.string().min(1),
  body: z.string().default(""),
  state: z.enum(["OPEN", "CLOSED"]).default("OPEN"),
  stateReason: z.enum(["COMPLETED", "NOT_PLANNED", "DUPLICATE", "REOPENED"]).nullable().default(null),
  blockedBy: z.array(IssueReference).default([]),
  author: z.string().default("phoenix-human"),
});

const SeedPullRequest = z.object({
  number: z.number().int().positive(),
  title: z.string().min(1),
  body: z.string().default(""),
  state: z.enum(["OPEN", "CLOSED", "MERGED"]).default("OPEN"),
  closes: z.array(IssueReference).default([]),
  headRefName: z.string().optional(),
  baseRefName: z.string().optional(),
  draft: z.boolean().default(false),
  /** Label names; labels the repo does not list are created. */
  labels: z.array(z.string().min(1)).default([]),
  author: z.string().default("phoenix-human"),
});

const SeedLabel = z.union([
  z.string().min(1),
  z.object({
    name: z.string().min(1),
    color: z
      .string()
      .regex(/^[0-9a-fA-F]{6}$/, "expected 6 hex digits")
      .default("ededed"),
    description: z.string().nullable().default(null),
  }),
]);

/** A branch of an unlinked repo: its commit messages and the files it changes against the default branch. */
const SeedBranch = z.object({
  name: z.string().min(1),
  commits: z.array(z.string().min(1)).min(1).default(["Update"]),
  files: z
    .array(
      z.object({
        path: z.string().min(1),
        additions: z.number().int().nonnegative().default(1),
        deletions: z.number().int().nonnegative().default(0),
        changeType: ChangeType.default("MODIFIED"),
      }),
    )
    .default([]),
});

const SeedRepo = z.object({
  name: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "expected owner/name"),
  defaultBranch: z.string().min(1).default("main"),
  settings: MergeSettings.prefault({}),
  protectedBranches: z.array(BranchProtection).default([]),
  collaborators: z.array(z.string().min(1)).default([]),
  /** Whether GitHub's Copilot coding agent is enabled (then assignable). */
  copilot: z.boolean().default(false),
  /** A bare git repository to serve this repo's branches from (created if missing). */
  gitDir: z.string().min(1).optional(),
  labels: z.array(SeedLabel).default([]),
  branches: z.array(SeedBranch).default([]),
  issues: z.array(SeedIssue).default([]),
  pullRequests: z.array(SeedPullRequest).default([]),
});

const SeedOption = z.union([
  z.string().min(1),
  z.object({
    name: z.string().min(1),
    color: z.string().default("GRAY"),
    description: z.string().default(""),
  }),
]);

const SeedField = z.discriminatedUnion("type", [
  z.object({ name: z.string().min(1), type: z.literal("text") }),
  z.object({ name: z.string().min(1), type: z.literal("number") }),
  z.object({ name: z.string().min(1), type: z.literal("date") }),
  z.object({
    name: z.string().min(1),
    type: z.literal("single_select"),
    options: z.array(SeedOption).min(1),
  }),
]);

const SeedItem = z
  .object({
    /** `owner/name#12`: an issue or pull request of a seeded repo. */
    content: z
      .string()
      .regex(/^[\w.-]+\/[\w.-]+#\d+$/, "expected owner/name#12")
      .optional(),
    draft: z.object({ title: z.string().min(1), body: z.string().default("") }).optional(),
    archived: z.boolean().default(false),
    /** Values by field name; null or absent leaves the field empty. */
    fields: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).default({}),
  })
  .refine((item) => (item.content === undefined) !== (item.draft === undefined), {
    message: "an item has either content or draft",
  });

const SeedProject = z.object({
  org: z.string().min(1),
  number: z.number().int().positive(),
  title: z.string().min(1),
  shortDescription: z.string().nullable().default(null),
  fields: z.array(SeedField).default([]),
  items: z.array(SeedItem).default([]),
});

export const Seed = z.object({
  /** Timestamp given to every seeded record, so a seed always yields the same state. */
  time: z.iso.datetime().default("2026-01-05T09:00:00Z"),
  orgs: z.array(z.object({ login: z.string().min(1), name: z.string().optional() })).default([]),
  repos: z.array(SeedRepo).default([]),
  projects: z.array(SeedProject).default([]),
});
export type Seed = z.infer<typeof Seed>;
export type SeedInput = z.input<typeof Seed>;
