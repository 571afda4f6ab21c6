/**
 * The git data of a repo that is not linked to a bare repository: a registry of branches in
 * the emulator's state, each with its head oid and what it adds to the default branch (its
 * commits and changed files), filled by the seed and the admin API. Merges never conflict and
 * give the base a new synthetic oid. Used through the `GitBackend` interface.
 */
import { createHash } from "node:crypto";
import type { EmulatorState } from "../store/state-schema.ts";
import type { ChangedFile, GitCommit, RegistryBranch } from "../store/pull-state-schema.ts";
import type {
  CommitRequest,
  Comparison,
  GitBackend,
  GitBranch,
  MergeOutcome,
  MergeRequest,
} from "./git-backend.ts";

export function syntheticOid(key: string): string {
  return createHash("sha1").update(key).digest("hex");
}

function lines(content: string): number {
  if (content === "") return 0;
  return content.endsWith("\n") ? content.split("\n").length - 1 : content.split("\n").length;
}

export class BranchRegistry implements GitBackend {
  readonly kind = "registry";
  readonly #state: () => EmulatorState;
  readonly #repo: string;

  constructor(state: () => EmulatorState, repo: string) {
    this.#state = state;
    this.#repo = repo;
  }

  #entries(): RegistryBranch[] {
    return this.#state().branches.filter((b) => b.repo === this.#repo);
  }

  #entry(rev: string): RegistryBranch | undefined {
    const name = rev.startsWith("refs/heads/") ? rev.slice("refs/heads/".length) : rev;
    return this.#entries().find((b) => b.name === name || b.oid === rev);
  }

  branches(): GitBranch[] {
    return this.#entries().map(({ name, oid }) => ({ name, oid }));
  }

  branch(name: string): GitBranch | null {
    const short = name.startsWith("refs/heads/") ? name.slice("refs/heads/".length) : name;
    const entry = this.#entries().find((b) => b.name === short);
    return entry === undefined ? null : { name: entry.name, oid: entry.oid };
  }

  commit(rev: string): GitCommit | null {
    for (const entry of this.#entries()) {
      const found = entry.commits.find((c) => c.oid === rev);
      if (found !== undefined) return found;
    }
    const entry = this.#entry(rev);
    if (entry === undefined) return null;
    return (
      entry.commits.at(-1) ?? {
        oid: entry.oid,
        message: `Head of ${entry.name}`,
        authorName: "GitHub",
        authorEmail: "noreply@github.com",
        authoredDate: new Date(0).toISOString(),
        committedDate: new Date(0).toISOString(),
        parents: [],
      }
    );
  }

  compare(base: string, head: string): Comparison | null {
    const b = this.#entry(base);
    const h = this.#entry(head);
    if (b === undefined || h === undefined) return null;
    const same = b.name === h.name;
    return {
      baseOid: b.oid,
      headOid: h.oid,
      commits: same ? [] : h.commits,
      files: same ? [] : h.files,
      behindBy: 0,
    };
  }

  canMerge(base: string, head: string): boolean {
    return this.#entry(base) !== undefined && this.#entry(head) !== undefined;
  }

  merge(request: MergeRequest): MergeOutcome {
    const base = this.#entry(request.base);
    const head = this.#entry(request.head);
    if (base === undefined || head === undefined) return { ok: false, reason: "unknown_ref" };
    base.oid = syntheticOid(`merge:${base.oid}:${head.oid}:${request.method}`);
    return { ok: true, oid: base.oid };
  }

  deleteBranch(name: string): boolean {
    const state = this.#state();
    const before = state.branches.length;
    state.branches = state.branches.filter((b) => !(b.repo === this.#repo && b.name === name));
    return state.branches.length < before;
  }

  /** Sets a branch as the admin API describes it. */
  put(name: string, content: { oid?: string; commits: GitCommit[]; files: ChangedFile[] }): RegistryBranch {
    const oid =
      content.oid ??
      content.commits.at(-1)?.oid ??
      syntheticOid(`branch:${this.#repo}:${name}:${Date.now()}`);
    const existing = this.#entries().find((b) => b.name === name);
    if (existing !== undefined) {
      Object.assign(existing, { oid, commits: content.commits, files: content.files });
      return existing;
    }
    const entry: RegistryBranch = {
      repo: this.#repo,
      name,
      oid,
      commits: content.commits,
      files: content.files,
    };
    this.#state().branches.push(entry);
    return entry;
  }

  commitFiles(request: CommitRequest): GitCommit {
    const existing = this.#entries().find((b) => b.name === request.branch);
    const parent = existing?.oid ?? this.#entry(request.from)?.oid ?? null;
    const commit: GitCommit = {
      oid: syntheticOid(
        `commit:${this.#repo}:${request.branch}:${parent ?? ""}:${request.message}:${request.date}`,
      ),
      message: request.message,
      authorName: request.author.name,
      authorEmail: request.author.email,
      authoredDate: request.date,
      committedDate: request.date,
      parents: parent === null ? [] : [parent],
    };
    const files = [...(existing?.files ?? [])];
    for (const change of request.files) {
      const index = files.findIndex((f) => f.path === change.path);
      const next: ChangedFile =
        change.content === null
          ? {
              path: change.path,
              additions: 0,
              deletions: index >= 0 ? (files[index]?.additions ?? 0) : 1,
              changeType: "DELETED",
            }
          : {
              path: change.path,
              additions: lines(change.content),
              deletions: 0,
              changeType: index >= 0 ? (files[index]?.changeType ?? "MODIFIED") : "ADDED",
            };
      if (index >= 0) files[index] = next;
      else files.push(next);
    }
    this.put(request.branch, { oid: commit.oid, commits: [...(existing?.commits ?? []), commit], files });
    return commit;
  }
}
