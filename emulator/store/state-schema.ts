/**
 * The emulator's whole state as one JSON-serializable document: orgs, accounts, repos,
 * issues, pull requests, Projects v2 boards and their items, and the pull-request loop's
 * records (pull-state-schema.ts). The store keeps it in memory, the state file persists it,
 * and the zod schema validates it when it is read back from disk (new fields default).
 */
import { z } from "zod";
import {
  Account,
  AutoMerge,
  BranchProtection,
  ChangedFile,
  CheckRun,
  CheckSuite,
  Comment,
  CommitStatus,
  CopilotSession,
  GitCommit,
  Label,
  MergeSettings,
  RegistryBranch,
} from "./pull-state-schema.ts";

export const FieldDataType = z.enum(["TITLE", "TEXT", "SINGLE_SELECT", "NUMBER", "DATE"]);
export type FieldDataType = z.infer<typeof FieldDataType>;

export const SelectOption = z.object({
  id: z.string(),
  name: z.string(),
  color: z.string().default("GRAY"),
  description: z.string().default(""),
});
export type SelectOption = z.infer<typeof SelectOption>;

export const ProjectField = z.object({
  id: z.string(),
  databaseId: z.number().int(),
  name: z.string(),
  dataType: FieldDataType,
  options: z.array(SelectOption).default([]),
});
export type ProjectField = z.infer<typeof ProjectField>;

/** One value as a mutation sets it: exactly one kind. */
export const FieldValueInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text"), text: z.string() }),
  z.object({ kind: z.literal("singleSelect"), optionId: z.string() }),
  z.object({ kind: z.literal("number"), number: z.number() }),
  z.object({ kind: z.literal("date"), date: z.string() }),
]);
export type FieldValueInput = z.infer<typeof FieldValueInput>;

export const StoredFieldValue = z.object({
  id: z.string(),
  value: FieldValueInput,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type StoredFieldValue = z.infer<typeof StoredFieldValue>;

export const Org = z.object({
  id: z.string(),
  databaseId: z.number().int(),
  login: z.string(),
  name: z.string(),
});
export type Org = z.infer<typeof Org>;

export const Repo = z.object({
  id: z.string(),
  databaseId: z.number().int(),
  owner: z.string(),
  name: z.string(),
  defaultBranch: z.string().default("main"),
  settings: MergeSettings.prefault({}),
  protectedBranches: z.array(BranchProtection).default([]),
  /** Logins with write access: assignable, requestable as reviewers. */
  collaborators: z.array(z.string()).default([]),
  /** Whether GitHub's Copilot coding agent is enabled here (it is then an assignable actor). */
  copilotEnabled: z.boolean().default(false),
  /** A bare git repository whose branches this repo serves; null keeps the branch registry. */
  gitDir: z.string().nullable().default(null),
});
export type Repo = z.infer<typeof Repo>;

export const Issue = z.object({
  id: z.string(),
  databaseId: z.number().int(),
  /** `owner/name` of the repository. */
  repo: z.string(),
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string(),
  state: z.enum(["OPEN", "CLOSED"]),
  stateReason: z.enum(["COMPLETED", "NOT_PLANNED", "DUPLICATE", "REOPENED"]).nullable(),
  /** Node ids of the issues that block this one. */
  blockedBy: z.array(z.string()),
  /** Label node ids. */
  labels: z.array(z.string()).default([]),
  /** Assignee logins (REST form). */
  assignees: z.array(z.string()).default([]),
  author: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
});
export type Issue = z.infer<typeof Issue>;

export const PullRequest = z.object({
  id: z.string(),
  databaseId: z.number().int(),
  repo: z.string(),
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string(),
  state: z.enum(["OPEN", "CLOSED", "MERGED"]),
  /** Node ids of the issues this PR closes when merged (its body's closing keywords, or the seed's). */
  closes: z.array(z.string()),
  headRefName: z.string(),
  baseRefName: z.string().default("main"),
  /** The head and base commits when last seen; the branch itself may since have moved or gone. */
  headRefOid: z.string().default(""),
  baseRefOid: z.string().default(""),
  isDraft: z.boolean().default(false),
  labels: z.array(z.string()).default([]),
  assignees: z.array(z.string()).default([]),
  /** Logins (REST form) asked to review. */
  reviewRequests: z.array(z.string()).default([]),
  autoMerge: AutoMerge.nullable().default(null),
  /** The commits and files of the PR when last computed: what a merged PR keeps showing. */
  commits: z.array(GitCommit).default([]),
  files: z.array(ChangedFile).default([]),
  mergedBy: z.string().nullable().default(null),
  mergeCommitOid: z.string().nullable().default(null),
  author: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
  mergedAt: z.string().nullable(),
});
export type PullRequest = z.infer<typeof PullRequest>;

export const Project = z.object({
  id: z.string(),
  databaseId: z.number().int(),
  org: z.string(),
  number: z.number().int().positive(),
  title: z.string(),
  shortDescription: z.string().nullable(),
  closed: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  fields: z.array(ProjectField),
});
export type Project = z.infer<typeof Project>;

export const ItemContent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("Issue"), id: z.string() }),
  z.object({ type: z.literal("PullRequest"), id: z.string() }),
  z.object({ type: z.literal("DraftIssue"), id: z.string(), title: z.string(), body: z.string() }),
]);
export type ItemContent = z.infer<typeof ItemContent>;

export const Item = z.object({
  id: z.string(),
  databaseId: z.number().int(),
  projectId: z.string(),
  content: ItemContent,
  archivedAt: z.string().nullable(),
  creator: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Field values keyed by field node id. */
  values: z.record(z.string(), StoredFieldValue),
});
export type Item = z.infer<typeof Item>;

export const EmulatorState = z.object({
  version: z.literal(1),
  orgs: z.array(Org),
  accounts: z.array(Account).default([]),
  repos: z.array(Repo),
  issues: z.array(Issue),
  pullRequests: z.array(PullRequest),
  projects: z.array(Project),
  items: z.array(Item),
  labels: z.array(Label).default([]),
  branches: z.array(RegistryBranch).default([]),
  checkSuites: z.array(CheckSuite).default([]),
  checkRuns: z.array(CheckRun).default([]),
  statuses: z.array(CommitStatus).default([]),
  comments: z.array(Comment).default([]),
  copilotSessions: z.array(CopilotSession).default([]),
});
export type EmulatorState = z.infer<typeof EmulatorState>;

export function emptyState(): EmulatorState {
  return EmulatorState.parse({
    version: 1,
    orgs: [],
    repos: [],
    issues: [],
    pullRequests: [],
    projects: [],
    items: [],
  });
}
