/**
 * The parts of seeding that serve the pull-request loop: a repo's labels, its branch registry
 * (the default branch, the seed's branches, and each seeded PR's head branch), a PR's head and
 * commits from that registry, and the accounts every seeded login stands for. Used by
 * seed-to-state.ts.
 */
import { syntheticOid } from "../git/branch-registry.ts";
import { accountFor } from "../store/accounts.ts";
import { databaseId, nodeId, NodePrefix } from "../store/ids.ts";
import type { GitCommit, Label, RegistryBranch } from "../store/pull-state-schema.ts";
import type { EmulatorState } from "../store/state-schema.ts";
import type { Seed } from "./seed-schema.ts";

type SeedRepo = Seed["repos"][number];

export function newLabel(
  repo: string,
  input: { name: string; color: string; description: string | null },
  at: string,
): Label {
  const key = `label:${repo}:${input.name.toLowerCase()}`;
  return {
    id: nodeId(NodePrefix.label, key),
    databaseId: databaseId(key),
    repo,
    name: input.name,
    color: input.color.toLowerCase(),
    description: input.description,
    isDefault: false,
    createdAt: at,
    updatedAt: at,
  };
}

/** The label named `name` in `repo`, created if the seed did not list it. */
export function labelNamed(state: EmulatorState, repo: string, name: string, at: string): Label {
  const existing = state.labels.find((l) => l.repo === repo && l.name.toLowerCase() === name.toLowerCase());
  if (existing !== undefined) return existing;
  const label = newLabel(repo, { name, color: "ededed", description: null }, at);
  state.labels.push(label);
  return label;
}

export function seedLabels(state: EmulatorState, repo: SeedRepo, at: string): void {
  for (const label of repo.labels) {
    const input = typeof label === "string" ? { name: label, color: "ededed", description: null } : label;
    if (!state.labels.some((l) => l.repo === repo.name && l.name.toLowerCase() === input.name.toLowerCase()))
      state.labels.push(newLabel(repo.name, input, at));
  }
}

function seedCommits(
  repo: string,
  branch: string,
  messages: readonly string[],
  author: string,
  at: string,
): GitCommit[] {
  const commits: GitCommit[] = [];
  for (const [index, message] of messages.entries()) {
    const parent = commits.at(-1)?.oid ?? syntheticOid(`seed:${repo}:default`);
    commits.push({
      oid: syntheticOid(`seed:${repo}:${branch}:${index}`),
      message,
      authorName: author,
      authorEmail: `${author}@users.noreply.github.com`,
      authoredDate: at,
      committedDate: at,
      parents: [parent],
    });
  }
  return commits;
}

/** The default branch and the seed's branches, as the registry of an unlinked repo. */
export function seedBranches(state: EmulatorState, repo: SeedRepo, at: string): void {
  state.branches.push({
    repo: repo.name,
    name: repo.defaultBranch,
    oid: syntheticOid(`seed:${repo.name}:default`),
    commits: [],
    files: [],
  });
  for (const branch of repo.branches) {
    const commits = seedCommits(repo.name, branch.name, branch.commits, "phoenix-human", at);
    state.branches.push({
      repo: repo.name,
      name: branch.name,
      oid: commits.at(-1)?.oid ?? syntheticOid(`seed:${repo.name}:${branch.name}`),
      commits,
      files: branch.files,
    });
  }
}

/** A seeded PR's head branch: the seed's, or one commit titled like the PR. */
export function seedHeadBranch(
  state: EmulatorState,
  repo: string,
  pr: { headRefName: string; title: string; author: string },
  at: string,
): RegistryBranch {
  const existing = state.branches.find((b) => b.repo === repo && b.name === pr.headRefName);
  if (existing !== undefined) return existing;
  const commits = seedCommits(repo, pr.headRefName, [pr.title], pr.author, at);
  const branch: RegistryBranch = {
    repo,
    name: pr.headRefName,
    oid: commits.at(-1)?.oid ?? syntheticOid(`seed:${repo}:${pr.headRefName}`),
    commits,
    files: [],
  };
  state.branches.push(branch);
  return branch;
}

/** One account per login the seed mentions (authors, collaborators). */
export function seedAccounts(state: EmulatorState): void {
  const logins = new Set<string>([
    ...state.repos.flatMap((r) => r.collaborators),
    ...state.issues.map((i) => i.author),
    ...state.pullRequests.map((p) => p.author),
  ]);
  for (const login of logins) {
    if (!state.accounts.some((a) => a.login === login)) state.accounts.push(accountFor(login));
  }
}
