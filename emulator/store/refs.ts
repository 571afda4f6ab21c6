/**
 * Branch changes and what GitHub sends for them: a new branch (`create`, `push`), a moved one
 * (`push`, then `synchronize` on its open PRs), a deleted one (`delete`, `push`, and its open
 * PRs closed). Changes come from the emulator's own writes (merges, commits, the registry) or
 * from a push into a linked bare repo, which its post-receive hook reports.
 */
import type { CommitRequest } from "../git/git-backend.ts";
import type { EmulatorStore } from "./emulator-store.ts";
import type { PullLoop } from "./pull-loop.ts";
import type { ChangedFile, GitCommit } from "./pull-state-schema.ts";
import type { Repo } from "./state-schema.ts";
import { StoreError, unprocessable, ZERO_OID } from "./store-events.ts";

export interface RefUpdate {
  branch: string;
  /** ZERO_OID for a new branch. */
  before: string;
  /** ZERO_OID for a deleted branch. */
  after: string;
}

export class Refs {
  readonly #store: EmulatorStore;
  readonly #loop: PullLoop;

  constructor(store: EmulatorStore, loop: PullLoop) {
    this.#store = store;
    this.#loop = loop;
  }

  deleteBranch(repo: Repo, branch: string, actor: string): void {
    if (branch === repo.defaultBranch) throw unprocessable("Cannot delete the default branch");
    const git = this.#loop.git.backend(repo);
    const head = git.branch(branch);
    if (head === null || !git.deleteBranch(branch))
      throw new StoreError("UNPROCESSABLE", "Reference does not exist");
    this.applyUpdates(repo, [{ branch, before: head.oid, after: ZERO_OID }], actor);
  }

  /** Commits files on a branch (created from `from` if new) and announces the push. */
  commitFiles(repo: Repo, request: CommitRequest, actor: string): GitCommit {
    const git = this.#loop.git.backend(repo);
    const before = git.branch(request.branch)?.oid ?? ZERO_OID;
    const commit = git.commitFiles(request);
    this.applyUpdates(repo, [{ branch: request.branch, before, after: commit.oid }], actor);
    return commit;
  }

  /** Sets a branch of an unlinked repo's registry, as a push would. */
  putRegistryBranch(
    repo: Repo,
    name: string,
    content: { oid?: string; commits: GitCommit[]; files: ChangedFile[] },
    actor: string,
  ): string {
    if (repo.gitDir !== null)
      throw unprocessable(`${repo.owner}/${repo.name} is linked to ${repo.gitDir}: push to it instead`);
    const registry = this.#loop.git.registry(repo);
    const before = registry.branch(name)?.oid ?? ZERO_OID;
    const after = registry.put(name, content).oid;
    if (after !== before) this.applyUpdates(repo, [{ branch: name, before, after }], actor);
    return after;
  }

  /** Announces branch changes already made in git, as GitHub does after a push. */
  applyUpdates(repo: Repo, updates: readonly RefUpdate[], actor: string): void {
    const name = `${repo.owner}/${repo.name}`;
    const git = this.#loop.git.backend(repo);
    for (const update of updates) {
      const created = update.before === ZERO_OID;
      const deleted = update.after === ZERO_OID;
      if (created) this.#store.emit({ type: "ref.created", repo: name, branch: update.branch, actor });
      if (deleted) this.#store.emit({ type: "ref.deleted", repo: name, branch: update.branch, actor });
      const commits = deleted
        ? []
        : (git.compare(created ? repo.defaultBranch : update.before, update.after)?.commits ?? []);
      this.#store.emit({ type: "push", repo: name, ...update, commits, forced: false, actor });
      for (const pr of this.#loop.pulls.openFor(name)) {
        if (pr.headRefName === update.branch) {
          // GitHub closes a pull request whose head branch is deleted.
          if (deleted) this.#loop.pulls.close(pr, actor);
          else this.#loop.pulls.synchronize(pr, actor);
        } else if (pr.baseRefName === update.branch && !deleted) this.#loop.pulls.refresh(pr);
      }
    }
  }
}
