/**
 * Which git data serves each repo: its linked bare repository (opened once per path, created
 * with an initial commit if missing) or the branch registry in the state. Linking happens at
 * start-up (`gitRoot`, a seed's `gitDir`) or later through the admin API. Used by the
 * pull-request loop's modules.
 */
import type { BareRepo } from "../git/bare-repo.ts";
import { openBareRepo } from "../git/bare-repo.ts";
import { BranchRegistry } from "../git/branch-registry.ts";
import type { GitBackend } from "../git/git-backend.ts";
import type { EmulatorStore } from "./emulator-store.ts";
import type { Repo } from "./state-schema.ts";
import { StoreError } from "./store-events.ts";

export class RepoGit {
  readonly #store: EmulatorStore;
  readonly #opened = new Map<string, BareRepo>();

  constructor(store: EmulatorStore) {
    this.#store = store;
  }

  /** The repo named `owner/name`, or GitHub's NOT_FOUND. */
  repo(nameWithOwner: string): Repo {
    const repo = this.#store.repo(nameWithOwner);
    if (repo === undefined)
      throw new StoreError(
        "NOT_FOUND",
        `Could not resolve to a Repository with the name '${nameWithOwner}'.`,
      );
    return repo;
  }

  backend(repo: Repo): GitBackend {
    if (repo.gitDir === null) return this.registry(repo);
    const opened = this.#opened.get(repo.gitDir);
    if (opened !== undefined) return opened;
    const bare = openBareRepo(repo.gitDir, repo.defaultBranch, `${repo.owner}/${repo.name}`);
    this.#opened.set(repo.gitDir, bare);
    return bare;
  }

  registry(repo: Repo): BranchRegistry {
    return new BranchRegistry(() => this.#store.state, `${repo.owner}/${repo.name}`);
  }

  /** Serves `repo` from the bare repository at `gitDir` from now on. */
  link(repo: Repo, gitDir: string): BareRepo {
    const bare = openBareRepo(gitDir, repo.defaultBranch, `${repo.owner}/${repo.name}`);
    this.#opened.set(gitDir, bare);
    repo.gitDir = gitDir;
    return bare;
  }
}
