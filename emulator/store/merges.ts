/**
 * Merging as GitHub does it: the merge methods a repo allows, branch protection's required
 * checks, `mergeable` and `mergeStateStatus`, the merge itself (the base moves in git, issues
 * named by closing keywords close as completed, the head branch goes when the repo says so)
 * and auto-merge, which GitHub refuses or arms in its own words and fires once every required
 * check passes. Used by mutations, the admin API and the checks module.
 */
import type { EmulatorStore } from "./emulator-store.ts";
import type { PullLoop } from "./pull-loop.ts";
import type { MergeMethod } from "./pull-state-schema.ts";
import type { PullRequest, Repo } from "./state-schema.ts";
import { unprocessable } from "./store-events.ts";

export type MergeStateStatus = "BEHIND" | "BLOCKED" | "CLEAN" | "DIRTY" | "DRAFT" | "UNKNOWN" | "UNSTABLE";

export interface UnmetCheck {
  name: string;
  why: "expected" | "failing";
}

export interface MergeOptions {
  method: MergeMethod;
  actor: string;
  expectedHeadOid?: string | null;
  commitHeadline?: string | null;
  commitBody?: string | null;
  /** A repo admin ticking "merge without waiting for requirements". */
  bypassRules?: boolean;
}

const METHOD_SETTING = {
  MERGE: "mergeCommitAllowed",
  SQUASH: "squashMergeAllowed",
  REBASE: "rebaseMergeAllowed",
} as const;
const MERGE_REFUSAL = {
  MERGE: "Merge commits are not allowed on this repository.",
  SQUASH: "Squash merges are not allowed on this repository.",
  REBASE: "Rebase merges are not allowed on this repository.",
} as const;
const AUTO_MERGE_REFUSAL = {
  MERGE: "Merge method merge commits are not allowed on this repository",
  SQUASH: "Merge method squash merging is not allowed on this repository",
  REBASE: "Merge method rebase merging is not allowed on this repository",
} as const;

/** Classic protection patterns: `*` matches within a path segment, `**` across them. */
function matches(pattern: string, branch: string): boolean {
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) =>
      part === "**" ? ".*" : part === "*" ? "[^/]*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  return new RegExp(`^${source}$`).test(branch);
}

export class Merges {
  readonly #store: EmulatorStore;
  readonly #loop: PullLoop;

  constructor(store: EmulatorStore, loop: PullLoop) {
    this.#store = store;
    this.#loop = loop;
  }

  protection(repo: Repo, branch: string) {
    return repo.protectedBranches.find((rule) => matches(rule.pattern, branch)) ?? null;
  }

  requiredChecks(pr: PullRequest): string[] {
    return this.protection(this.#loop.git.repo(pr.repo), pr.baseRefName)?.requiredStatusChecks ?? [];
  }

  /** Required contexts not passing on the head: "expected" (missing or pending) or "failing". */
  unmetChecks(pr: PullRequest): UnmetCheck[] {
    const contexts = this.#loop.checks.contexts(pr.repo, pr.headRefOid);
    return this.requiredChecks(pr).flatMap((name): UnmetCheck[] => {
      const found = contexts.filter((c) => c.name === name);
      if (found.some((c) => c.state === "FAILURE")) return [{ name, why: "failing" }];
      return found.some((c) => c.state === "SUCCESS") && found.every((c) => c.state !== "PENDING")
        ? []
        : [{ name, why: "expected" }];
    });
  }

  mergeable(pr: PullRequest): "MERGEABLE" | "CONFLICTING" | "UNKNOWN" {
    if (pr.state !== "OPEN") return "UNKNOWN";
    const git = this.#loop.git.backend(this.#loop.git.repo(pr.repo));
    return git.canMerge(pr.baseRefName, pr.headRefName) ? "MERGEABLE" : "CONFLICTING";
  }

  mergeStateStatus(pr: PullRequest): MergeStateStatus {
    if (pr.state !== "OPEN") return "UNKNOWN";
    if (pr.isDraft) return "DRAFT";
    if (this.mergeable(pr) === "CONFLICTING") return "DIRTY";
    if (this.unmetChecks(pr).length > 0) return "BLOCKED";
    const required = this.requiredChecks(pr);
    const others = this.#loop.checks
      .contexts(pr.repo, pr.headRefOid)
      .filter((c) => !required.includes(c.name));
    return others.some((c) => c.state === "FAILURE") ? "UNSTABLE" : "CLEAN";
  }

  merge(pr: PullRequest, options: MergeOptions): PullRequest {
    const repo = this.#loop.git.repo(pr.repo);
    if (pr.state !== "OPEN") throw unprocessable("Pull Request is not mergeable");
    if (pr.isDraft) throw unprocessable("Pull Request is still a draft");
    if (!repo.settings[METHOD_SETTING[options.method]]) throw unprocessable(MERGE_REFUSAL[options.method]);
    this.#loop.pulls.refresh(pr);
    const git = this.#loop.git.backend(repo);
    if (git.branch(pr.headRefName) === null) throw unprocessable("Pull Request is not mergeable");
    if (options.expectedHeadOid != null && options.expectedHeadOid !== pr.headRefOid)
      throw unprocessable("Head branch was modified. Review and try the merge again.");
    const unmet = options.bypassRules === true ? [] : this.unmetChecks(pr);
    const first = unmet[0];
    if (first !== undefined) throw unprocessable(`Required status check "${first.name}" is ${first.why}.`);
    const before = pr.baseRefOid;
    const merged = git.merge({
      base: pr.baseRefName,
      head: pr.headRefName,
      method: options.method,
      ...this.#message(pr, options),
      committer: { name: "GitHub", email: "noreply@github.com" },
      date: this.#store.now(),
    });
    if (!merged.ok) throw unprocessable("Pull Request is not mergeable");
    const at = this.#store.now();
    const mergedBy = this.#store.account(options.actor).login;
    Object.assign(pr, {
      state: "MERGED",
      mergedAt: at,
      closedAt: at,
      updatedAt: at,
      mergedBy,
      autoMerge: null,
    });
    pr.mergeCommitOid = merged.oid;
    this.#store.emit({ type: "pullRequest", action: "closed", pullRequest: pr, actor: options.actor });
    const added = git.compare(before, merged.oid)?.commits ?? [];
    this.#store.emit({
      type: "push",
      repo: pr.repo,
      branch: pr.baseRefName,
      before,
      after: merged.oid,
      commits: added,
      forced: false,
      actor: options.actor,
    });
    // GitHub closes the issues a PR names with closing keywords when it merges into the default branch.
    if (pr.baseRefName === repo.defaultBranch)
      for (const issueId of pr.closes) this.#store.closeIssue(issueId, "COMPLETED", options.actor);
    if (repo.settings.deleteBranchOnMerge) this.#loop.refs.deleteBranch(repo, pr.headRefName, options.actor);
    for (const other of this.#loop.pulls.openFor(pr.repo).filter((p) => p.baseRefName === pr.baseRefName))
      this.#loop.pulls.refresh(other);
    return pr;
  }

  #message(pr: PullRequest, options: MergeOptions): { title: string; body: string } {
    const defaults =
      options.method === "SQUASH"
        ? { title: `${pr.title} (#${pr.number})`, body: pr.commits.map((c) => `* ${c.message}`).join("\n\n") }
        : {
            title: `Merge pull request #${pr.number} from ${pr.repo.split("/")[0] ?? ""}/${pr.headRefName}`,
            body: pr.title,
          };
    return { title: options.commitHeadline ?? defaults.title, body: options.commitBody ?? defaults.body };
  }

  enableAutoMerge(
    pr: PullRequest,
    options: {
      method: MergeMethod;
      actor: string;
      commitHeadline?: string | null;
      commitBody?: string | null;
      expectedHeadOid?: string | null;
    },
  ): PullRequest {
    const repo = this.#loop.git.repo(pr.repo);
    if (!repo.settings.autoMergeAllowed) throw unprocessable("Auto merge is not allowed for this repository");
    if (!repo.settings[METHOD_SETTING[options.method]])
      throw unprocessable(AUTO_MERGE_REFUSAL[options.method]);
    if (pr.state !== "OPEN")
      throw unprocessable(
        `Pull request Pull request is ${pr.state === "MERGED" ? "already merged" : "closed"}`,
      );
    if (pr.isDraft) throw unprocessable("Pull request Pull request is in draft state");
    if (this.protection(repo, pr.baseRefName) === null)
      throw unprocessable("Pull request Protected branch rules not configured for this branch");
    this.#loop.pulls.refresh(pr);
    if (options.expectedHeadOid != null && options.expectedHeadOid !== pr.headRefOid)
      throw unprocessable("Head branch was modified. Review and try the merge again.");
    const status = this.mergeStateStatus(pr);
    if (status === "CLEAN" || status === "UNSTABLE")
      throw unprocessable(`Pull request Pull request is in ${status.toLowerCase()} status`);
    const same = pr.autoMerge?.mergeMethod === options.method;
    pr.autoMerge = {
      mergeMethod: options.method,
      enabledBy: this.#store.account(options.actor).login,
      enabledAt: same && pr.autoMerge ? pr.autoMerge.enabledAt : this.#store.now(),
      commitHeadline: options.commitHeadline ?? null,
      commitBody: options.commitBody ?? null,
    };
    if (!same) {
      pr.updatedAt = this.#store.now();
      this.#store.emit({
        type: "pullRequest",
        action: "auto_merge_enabled",
        pullRequest: pr,
        actor: options.actor,
      });
    }
    return pr;
  }

  disableAutoMerge(pr: PullRequest, actor: string): PullRequest {
    if (pr.autoMerge === null) return pr;
    pr.autoMerge = null;
    pr.updatedAt = this.#store.now();
    this.#store.emit({ type: "pullRequest", action: "auto_merge_disabled", pullRequest: pr, actor });
    return pr;
  }

  /** A commit's checks changed: an open PR at that head with auto-merge merges once all required checks pass. */
  checksChanged(repo: Repo, sha: string): void {
    const name = `${repo.owner}/${repo.name}`;
    for (const pr of this.#loop.pulls.openFor(name).filter((p) => p.headRefOid === sha)) this.#fire(pr);
  }

  #fire(pr: PullRequest): void {
    const auto = pr.autoMerge;
    if (auto === null || pr.isDraft || this.unmetChecks(pr).length > 0 || this.mergeable(pr) !== "MERGEABLE")
      return;
    this.merge(pr, {
      method: auto.mergeMethod,
      actor: auto.enabledBy,
      commitHeadline: auto.commitHeadline,
      commitBody: auto.commitBody,
    });
  }
}
