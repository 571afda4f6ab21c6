/**
 * The records of the pull-request loop in the emulator's state: accounts (people and bots),
 * repository merge settings and branch protection, labels, the branch registry of repos not
 * linked to git, commits and changed files, check suites and runs, commit statuses, issue
 * comments and Copilot sessions. Part of `EmulatorState` (state-schema.ts).
 */
import { z } from "zod";

/** An account. `login` is the REST/webhook login (`octo-app[bot]`); GraphQL shows `graphqlLogin`. */
export const Account = z.object({
  id: z.string(),
  databaseId: z.number().int(),
  login: z.string(),
  graphqlLogin: z.string(),
  type: z.enum(["User", "Bot"]),
  name: z.string().nullable().default(null),
});
export type Account = z.infer<typeof Account>;

export const MergeSettings = z.object({
  autoMergeAllowed: z.boolean().default(false),
  mergeCommitAllowed: z.boolean().default(true),
  squashMergeAllowed: z.boolean().default(true),
  rebaseMergeAllowed: z.boolean().default(true),
  deleteBranchOnMerge: z.boolean().default(false),
});
export type MergeSettings = z.infer<typeof MergeSettings>;

/** A classic branch protection rule: the branch name (or an fnmatch-style pattern) and its required checks. */
export const BranchProtection = z.object({
  pattern: z.string().min(1),
  requiredStatusChecks: z.array(z.string()).default([]),
});
export type BranchProtection = z.infer<typeof BranchProtection>;

export const Label = z.object({
  id: z.string(),
  databaseId: z.number().int(),
  repo: z.string(),
  name: z.string(),
  color: z.string(),
  description: z.string().nullable(),
  isDefault: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Label = z.infer<typeof Label>;

export const GitCommit = z.object({
  oid: z.string(),
  message: z.string(),
  authorName: z.string(),
  authorEmail: z.string(),
  authoredDate: z.string(),
  committedDate: z.string(),
  parents: z.array(z.string()),
});
export type GitCommit = z.infer<typeof GitCommit>;

export const ChangeType = z.enum(["ADDED", "CHANGED", "COPIED", "DELETED", "MODIFIED", "RENAMED"]);
export type ChangeType = z.infer<typeof ChangeType>;

export const ChangedFile = z.object({
  path: z.string(),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  changeType: ChangeType,
});
export type ChangedFile = z.infer<typeof ChangedFile>;

/** A branch of a repo that is not linked to git: its head and what it adds to the default branch. */
export const RegistryBranch = z.object({
  repo: z.string(),
  name: z.string(),
  oid: z.string(),
  commits: z.array(GitCommit).default([]),
  files: z.array(ChangedFile).default([]),
});
export type RegistryBranch = z.infer<typeof RegistryBranch>;

export const MergeMethod = z.enum(["MERGE", "SQUASH", "REBASE"]);
export type MergeMethod = z.infer<typeof MergeMethod>;

export const AutoMerge = z.object({
  mergeMethod: MergeMethod,
  enabledBy: z.string(),
  enabledAt: z.string(),
  commitHeadline: z.string().nullable(),
  commitBody: z.string().nullable(),
});
export type AutoMerge = z.infer<typeof AutoMerge>;

export const CheckStatus = z.enum(["QUEUED", "IN_PROGRESS", "COMPLETED"]);
export const CheckConclusion = z.enum([
  "ACTION_REQUIRED",
  "CANCELLED",
  "FAILURE",
  "NEUTRAL",
  "SKIPPED",
  "STALE",
  "STARTUP_FAILURE",
  "SUCCESS",
  "TIMED_OUT",
]);
export type CheckConclusion = z.infer<typeof CheckConclusion>;

export const CheckSuite = z.object({
  id: z.string(),
  databaseId: z.number().int(),
  repo: z.string(),
  headSha: z.string(),
  headBranch: z.string().nullable(),
  /** The GitHub App's slug, e.g. `github-actions`. */
  app: z.string(),
  status: CheckStatus,
  conclusion: CheckConclusion.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CheckSuite = z.infer<typeof CheckSuite>;

export const CheckRun = z.object({
  id: z.string(),
  databaseId: z.number().int(),
  suiteId: z.string(),
  repo: z.string(),
  headSha: z.string(),
  name: z.string(),
  status: CheckStatus,
  conclusion: CheckConclusion.nullable(),
  startedAt: z.string(),
  completedAt: z.string().nullable(),
  detailsUrl: z.string().nullable(),
  title: z.string().nullable(),
  summary: z.string().nullable(),
});
export type CheckRun = z.infer<typeof CheckRun>;

export const StatusState = z.enum(["ERROR", "FAILURE", "PENDING", "SUCCESS"]);
export type StatusState = z.infer<typeof StatusState>;

export const CommitStatus = z.object({
  id: z.string(),
  databaseId: z.number().int(),
  repo: z.string(),
  sha: z.string(),
  context: z.string(),
  state: StatusState,
  description: z.string().nullable(),
  targetUrl: z.string().nullable(),
  creator: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CommitStatus = z.infer<typeof CommitStatus>;

export const Comment = z.object({
  id: z.string(),
  databaseId: z.number().int(),
  /** Node id of the issue or pull request. */
  subjectId: z.string(),
  author: z.string(),
  body: z.string(),
  createdAt: z.string(),
});
export type Comment = z.infer<typeof Comment>;

/** The Copilot coding agent's work on one issue, from its assignment to its PR or failure. */
export const CopilotSession = z.object({
  issueId: z.string(),
  state: z.enum(["WORKING", "COMPLETED", "FAILED"]),
  assignedBy: z.string(),
  baseRef: z.string().nullable(),
  customInstructions: z.string().nullable(),
  pullRequestId: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
});
export type CopilotSession = z.infer<typeof CopilotSession>;
