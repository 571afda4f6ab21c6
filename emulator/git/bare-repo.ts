/**
 * A real bare git repository as a repo's git data: branches and heads from its refs, a pull
 * request's commits (base..head) and files (the three-dot diff, as GitHub shows it), merges
 * with `git merge-tree` (merge and squash) or a throwaway worktree (rebase), and commits made
 * through a temporary index. What the local-agent daemon pushes is what the emulator serves.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChangedFile, ChangeType, GitCommit } from "../store/pull-state-schema.ts";
import { GitCommand, initBare } from "./git-command.ts";
import type {
  CommitRequest,
  Comparison,
  GitBackend,
  GitBranch,
  GitIdentity,
  MergeOutcome,
  MergeRequest,
} from "./git-backend.ts";

const FORMAT = "%H%x00%P%x00%an%x00%ae%x00%aI%x00%cI%x00%B%x1e";
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const STATUS: Record<string, ChangeType> = {
  A: "ADDED",
  C: "COPIED",
  D: "DELETED",
  M: "MODIFIED",
  R: "RENAMED",
  T: "CHANGED",
};

function parseCommits(output: string): GitCommit[] {
  return output
    .split("\x1e")
    .map((record) => record.replace(/^\n/, ""))
    .filter((record) => record !== "")
    .map((record) => {
      const [
        oid = "",
        parents = "",
        authorName = "",
        authorEmail = "",
        authoredDate = "",
        committedDate = "",
        ...rest
      ] = record.split("\x00");
      return {
        oid,
        parents: parents === "" ? [] : parents.split(" "),
        authorName,
        authorEmail,
        authoredDate: new Date(authoredDate).toISOString(),
        committedDate: new Date(committedDate).toISOString(),
        message: rest.join("\x00").replace(/\n+$/, ""),
      };
    });
}

function identityEnv(author: GitIdentity, committer: GitIdentity, date: string): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_COMMITTER_DATE: date,
  };
}

export class BareRepo implements GitBackend {
  readonly kind = "git";
  readonly #git: GitCommand;

  constructor(gitDir: string) {
    this.#git = new GitCommand(gitDir);
  }

  get gitDir(): string {
    return this.#git.gitDir;
  }

  /** An oid for a branch name, `refs/heads/…` or a commit oid; null when unknown. */
  resolve(rev: string): string | null {
    const candidates = /^[0-9a-f]{40}$/.test(rev)
      ? [rev]
      : [rev.startsWith("refs/") ? rev : `refs/heads/${rev}`];
    for (const candidate of candidates) {
      const result = this.#git.run(["rev-parse", "--verify", "--quiet", `${candidate}^{commit}`]);
      if (result.status === 0) return result.stdout.trim();
    }
    return null;
  }

  branches(): GitBranch[] {
    const output = this.#git.out(["for-each-ref", "--format=%(refname)%00%(objectname)", "refs/heads/"]);
    return output
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        const [ref = "", oid = ""] = line.split("\x00");
        return { name: ref.slice("refs/heads/".length), oid };
      });
  }

  branch(name: string): GitBranch | null {
    const short = name.startsWith("refs/heads/") ? name.slice("refs/heads/".length) : name;
    const result = this.#git.run(["rev-parse", "--verify", "--quiet", `refs/heads/${short}^{commit}`]);
    return result.status === 0 ? { name: short, oid: result.stdout.trim() } : null;
  }

  commit(rev: string): GitCommit | null {
    const oid = this.resolve(rev);
    if (oid === null) return null;
    return parseCommits(this.#git.out(["log", "-1", `--format=${FORMAT}`, oid]))[0] ?? null;
  }

  compare(base: string, head: string): Comparison | null {
    const baseOid = this.resolve(base);
    const headOid = this.resolve(head);
    if (baseOid === null || headOid === null) return null;
    const mergeBase = this.#git.run(["merge-base", baseOid, headOid]);
    const from = mergeBase.status === 0 ? mergeBase.stdout.trim() : EMPTY_TREE;
    const commits = parseCommits(
      this.#git.out(["log", "--reverse", `--format=${FORMAT}`, `${baseOid}..${headOid}`]),
    );
    const behindBy = Number(this.#git.out(["rev-list", "--count", `${headOid}..${baseOid}`]).trim());
    return { baseOid, headOid, commits, files: this.#diff(from, headOid), behindBy };
  }

  #diff(from: string, to: string): ChangedFile[] {
    const names = this.#git.out(["diff", "--name-status", "-z", "-M", from, to]).split("\x00");
    const types = new Map<string, ChangeType>();
    for (let i = 0; i < names.length - 1;) {
      const code = names[i] ?? "";
      const renamed = code.startsWith("R") || code.startsWith("C");
      const path = names[renamed ? i + 2 : i + 1] ?? "";
      types.set(path, STATUS[code.charAt(0)] ?? "CHANGED");
      i += renamed ? 3 : 2;
    }
    const stats = this.#git.out(["diff", "--numstat", "-z", "-M", from, to]).split("\x00");
    const files: ChangedFile[] = [];
    for (let i = 0; i < stats.length - 1;) {
      const [added = "0", deleted = "0", inline = ""] = (stats[i] ?? "").split("\t");
      const path = inline === "" ? (stats[i + 2] ?? "") : inline;
      i += inline === "" ? 3 : 1;
      files.push({
        path,
        additions: added === "-" ? 0 : Number(added),
        deletions: deleted === "-" ? 0 : Number(deleted),
        changeType: types.get(path) ?? "MODIFIED",
      });
    }
    return files;
  }

  #mergeTree(baseOid: string, headOid: string): string | null {
    const result = this.#git.run(["merge-tree", "--write-tree", "--no-messages", baseOid, headOid]);
    return result.status === 0 ? (result.stdout.split("\n")[0] ?? null) : null;
  }

  canMerge(base: string, head: string): boolean {
    const baseOid = this.resolve(base);
    const headOid = this.resolve(head);
    return baseOid !== null && headOid !== null && this.#mergeTree(baseOid, headOid) !== null;
  }

  merge(request: MergeRequest): MergeOutcome {
    const baseOid = this.resolve(request.base);
    const headOid = this.resolve(request.head);
    if (baseOid === null || headOid === null) return { ok: false, reason: "unknown_ref" };
    const message = request.body === "" ? request.title : `${request.title}\n\n${request.body}`;
    let oid: string | null;
    if (request.method === "REBASE") {
      oid = this.#rebase(baseOid, headOid, request.committer, request.date);
    } else {
      const tree = this.#mergeTree(baseOid, headOid);
      if (tree === null) return { ok: false, reason: "conflict" };
      const parents = request.method === "MERGE" ? ["-p", baseOid, "-p", headOid] : ["-p", baseOid];
      const env = identityEnv(request.committer, request.committer, request.date);
      oid = this.#git.out(["commit-tree", tree, ...parents, "-F", "-"], { input: message, env }).trim();
    }
    if (oid === null) return { ok: false, reason: "conflict" };
    this.#git.out(["update-ref", `refs/heads/${request.base}`, oid, baseOid]);
    return { ok: true, oid };
  }

  /** Replays base..head onto base in a throwaway worktree; null on a conflict. */
  #rebase(baseOid: string, headOid: string, committer: GitIdentity, date: string): string | null {
    const dir = mkdtempSync(join(tmpdir(), "emulator-rebase-"));
    const worktree = join(dir, "tree");
    this.#git.out(["worktree", "add", "--detach", "--quiet", worktree, baseOid]);
    try {
      const env = {
        GIT_COMMITTER_NAME: committer.name,
        GIT_COMMITTER_EMAIL: committer.email,
        GIT_COMMITTER_DATE: date,
      };
      const picked = this.#git.run(
        ["cherry-pick", "--allow-empty", "--keep-redundant-commits", `${baseOid}..${headOid}`],
        { env, cwd: worktree, inWorktree: true },
      );
      if (picked.status !== 0) return null;
      return this.#git.out(["rev-parse", "HEAD"], { cwd: worktree, inWorktree: true }).trim();
    } finally {
      this.#git.run(["worktree", "remove", "--force", worktree]);
      rmSync(dir, { recursive: true, force: true });
    }
  }

  deleteBranch(name: string): boolean {
    return this.#git.run(["update-ref", "-d", `refs/heads/${name}`]).status === 0;
  }

  commitFiles(request: CommitRequest): GitCommit {
    const existing = this.resolve(request.branch);
    const parent = existing ?? this.resolve(request.from);
    const dir = mkdtempSync(join(tmpdir(), "emulator-index-"));
    const env = {
      GIT_INDEX_FILE: join(dir, "index"),
      ...identityEnv(request.author, request.author, request.date),
    };
    try {
      this.#git.out(parent === null ? ["read-tree", "--empty"] : ["read-tree", parent], { env });
      for (const file of request.files) {
        if (file.content === null) {
          this.#git.out(["update-index", "--force-remove", "--", file.path], { env });
          continue;
        }
        const blob = this.#git.out(["hash-object", "-w", "--stdin"], { input: file.content, env }).trim();
        this.#git.out(["update-index", "--add", "--cacheinfo", `100644,${blob},${file.path}`], { env });
      }
      const tree = this.#git.out(["write-tree"], { env }).trim();
      const parents = parent === null ? [] : ["-p", parent];
      const oid = this.#git
        .out(["commit-tree", tree, ...parents, "-F", "-"], { input: request.message, env })
        .trim();
      this.#git.out([
        "update-ref",
        `refs/heads/${request.branch}`,
        oid,
        ...(existing === null ? [] : [existing]),
      ]);
      const commit = this.commit(oid);
      if (commit === null) throw new Error(`commit ${oid} vanished`);
      return commit;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Opens `dir`, creating the bare repo (with an initial commit on `defaultBranch`) when it is missing or empty. */
export function openBareRepo(dir: string, defaultBranch: string, repoName: string): BareRepo {
  if (!existsSync(dir)) initBare(dir, defaultBranch);
  const repo = new BareRepo(dir);
  if (repo.branches().length === 0) {
    repo.commitFiles({
      branch: defaultBranch,
      from: defaultBranch,
      files: [{ path: "README.md", content: `# ${repoName}\n` }],
      message: "Initial commit",
      author: { name: "GitHub", email: "noreply@github.com" },
      date: new Date().toISOString(),
    });
  }
  return repo;
}
