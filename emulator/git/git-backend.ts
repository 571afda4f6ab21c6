/**
 * What the emulator asks of a repository's git data, whether it comes from a real bare
 * repository (bare-repo.ts) or from the branch registry of an unlinked repo
 * (branch-registry.ts): branches and their heads, commits, a comparison as a pull request
 * shows it, mergeability, merging with a method, deleting a branch, committing files.
 */
import type { ChangedFile, GitCommit, MergeMethod } from "../store/pull-state-schema.ts";

export interface GitBranch {
  name: string;
  oid: string;
}

/** What `head` adds to `base`, as a pull request from head into base shows it. */
export interface Comparison {
  baseOid: string;
  headOid: string;
  /** Commits on head that base lacks, oldest first. */
  commits: GitCommit[];
  /** Changes from the merge base to head (GitHub's three-dot diff). */
  files: ChangedFile[];
  behindBy: number;
}

export interface GitIdentity {
  name: string;
  email: string;
}

export interface MergeRequest {
  base: string;
  head: string;
  method: MergeMethod;
  title: string;
  body: string;
  committer: GitIdentity;
  date: string;
}

export type MergeOutcome = { ok: true; oid: string } | { ok: false; reason: "conflict" | "unknown_ref" };

export interface FileChange {
  path: string;
  /** New content; null deletes the file. */
  content: string | null;
}

export interface CommitRequest {
  branch: string;
  /** Where a new branch starts (a branch name or oid); ignored when the branch exists. */
  from: string;
  files: FileChange[];
  message: string;
  author: GitIdentity;
  date: string;
}

export interface GitBackend {
  readonly kind: "git" | "registry";
  branches(): GitBranch[];
  branch(name: string): GitBranch | null;
  /** A commit by oid or branch name. */
  commit(rev: string): GitCommit | null;
  /** Null when either side is unknown. */
  compare(base: string, head: string): Comparison | null;
  canMerge(base: string, head: string): boolean;
  /** Merges head into the base branch, which moves; the head branch stays. */
  merge(request: MergeRequest): MergeOutcome;
  deleteBranch(name: string): boolean;
  /** Commits the changes on `branch` (created from `from` if missing); returns the new commit. */
  commitFiles(request: CommitRequest): GitCommit;
}

/** "Subject\n\nbody" → "Subject". */
export function headline(message: string): string {
  return message.split("\n", 1)[0] ?? "";
}
