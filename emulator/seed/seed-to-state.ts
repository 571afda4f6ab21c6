/**
 * Turns a validated seed into the store's state: deterministic node and database ids from
 * stable keys, issue references resolved, field values set by field name. Throws a
 * `SeedError` listing every problem. Used by the server at start-up and the admin seed API.
 */
import { closingReferences } from "../store/closing-keywords.ts";
import { valueFromHuman, valueNodePrefix } from "../store/field-values.ts";
import { databaseId, nodeId, NodePrefix, optionId } from "../store/ids.ts";
import type { EmulatorState, Item, Project, ProjectField } from "../store/state-schema.ts";
import { emptyState } from "../store/state-schema.ts";
import { StoreError } from "../store/store-events.ts";
import { labelNamed, seedAccounts, seedBranches, seedHeadBranch, seedLabels } from "./seed-repos.ts";
import { Seed, type SeedInput } from "./seed-schema.ts";

export class SeedError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid seed:\n- ${problems.join("\n- ")}`);
    this.name = "SeedError";
    this.problems = problems;
  }
}

/** Validates unknown input (a parsed JSON file, an admin body) as a seed. */
export function parseSeed(input: unknown): Seed {
  const result = Seed.safeParse(input);
  if (!result.success) {
    throw new SeedError(result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`));
  }
  return result.data;
}

function ids(prefix: string, key: string): { id: string; databaseId: number } {
  return { id: nodeId(prefix, key), databaseId: databaseId(key) };
}

function buildFields(projectKey: string, seedFields: Seed["projects"][number]["fields"]): ProjectField[] {
  const title: ProjectField = {
    ...ids(NodePrefix.field, `${projectKey}:field:Title`),
    name: "Title",
    dataType: "TITLE",
    options: [],
  };
  return [
    title,
    ...seedFields.map((field): ProjectField => {
      const key = `${projectKey}:field:${field.name}`;
      if (field.type !== "single_select") {
        const dataType = field.type === "text" ? "TEXT" : field.type === "number" ? "NUMBER" : "DATE";
        return { ...ids(NodePrefix.field, key), name: field.name, dataType, options: [] };
      }
      const options = field.options.map((option) => {
        const o = typeof option === "string" ? { name: option, color: "GRAY", description: "" } : option;
        return { id: optionId(`${key}:${o.name}`), ...o };
      });
      return {
        ...ids(NodePrefix.singleSelectField, key),
        name: field.name,
        dataType: "SINGLE_SELECT",
        options,
      };
    }),
  ];
}

/** Validates `input` as a seed (throwing `SeedError`) and builds the state. */
export function seedToState(input: SeedInput | Seed | unknown): EmulatorState {
  const seed = parseSeed(input);
  const at = new Date(seed.time).toISOString();
  const state = emptyState();
  const problems: string[] = [];

  const logins = new Set([
    ...seed.orgs.map((o) => o.login),
    ...seed.repos.map((r) => r.name.split("/")[0] ?? ""),
    ...seed.projects.map((p) => p.org),
  ]);
  for (const login of logins) {
    const name = seed.orgs.find((o) => o.login === login)?.name ?? login;
    state.orgs.push({ ...ids(NodePrefix.org, `org:${login}`), login, name });
  }

  const contentIds = new Map<string, string>();
  for (const repo of seed.repos) {
    const [owner = "", name = ""] = repo.name.split("/");
    state.repos.push({
      ...ids(NodePrefix.repo, `repo:${repo.name}`),
      owner,
      name,
      defaultBranch: repo.defaultBranch,
      settings: repo.settings,
      protectedBranches: repo.protectedBranches,
      collaborators: repo.collaborators,
      copilotEnabled: repo.copilot,
      gitDir: repo.gitDir ?? null,
    });
    seedLabels(state, repo, at);
    seedBranches(state, repo, at);
    for (const issue of repo.issues) {
      const key = `issue:${repo.name}#${issue.number}`;
      const record = {
        ...ids(NodePrefix.issue, key),
        repo: repo.name,
        number: issue.number,
        title: issue.title,
        body: issue.body,
      };
      const closed = issue.state === "CLOSED";
      state.issues.push({
        ...record,
        state: issue.state,
        stateReason: issue.stateReason ?? (closed ? "COMPLETED" : null),
        blockedBy: [],
        labels: [],
        assignees: [],
        author: issue.author,
        createdAt: at,
        updatedAt: at,
        closedAt: closed ? at : null,
      });
      contentIds.set(`${repo.name}#${issue.number}`.toLowerCase(), record.id);
    }
    for (const pr of repo.pullRequests) {
      const key = `pr:${repo.name}#${pr.number}`;
      if (contentIds.has(`${repo.name}#${pr.number}`.toLowerCase()))
        problems.push(`${repo.name}#${pr.number} is both an issue and a pull request`);
      const record = {
        ...ids(NodePrefix.pullRequest, key),
        repo: repo.name,
        number: pr.number,
        title: pr.title,
        body: pr.body,
      };
      const headRefName = pr.headRefName ?? `pr-${pr.number}`;
      const head = seedHeadBranch(state, repo.name, { headRefName, title: pr.title, author: pr.author }, at);
      const base = state.branches.find(
        (b) => b.repo === repo.name && b.name === (pr.baseRefName ?? repo.defaultBranch),
      );
      if (base === undefined)
        problems.push(`${repo.name}#${pr.number}: base branch ${pr.baseRefName ?? ""} is not seeded`);
      state.pullRequests.push({
        ...record,
        state: pr.state,
        closes: [],
        headRefName,
        baseRefName: pr.baseRefName ?? repo.defaultBranch,
        headRefOid: head.oid,
        baseRefOid: base?.oid ?? "",
        isDraft: pr.draft,
        labels: pr.labels.map((name) => labelNamed(state, repo.name, name, at).id),
        assignees: [],
        reviewRequests: [],
        autoMerge: null,
        commits: head.commits,
        files: head.files,
        mergedBy: pr.state === "MERGED" ? pr.author : null,
        mergeCommitOid: null,
        author: pr.author,
        createdAt: at,
        updatedAt: at,
        closedAt: pr.state === "OPEN" ? null : at,
        mergedAt: pr.state === "MERGED" ? at : null,
      });
      contentIds.set(`${repo.name}#${pr.number}`.toLowerCase(), record.id);
    }
  }

  const issueIds = new Set(state.issues.map((i) => i.id));
  const resolveIssue = (repo: string, ref: string, where: string): string | null => {
    const full = (ref.startsWith("#") ? `${repo}${ref}` : ref).toLowerCase();
    const id = contentIds.get(full);
    if (id === undefined || !issueIds.has(id)) {
      problems.push(`${where}: ${ref} is not a seeded issue`);
      return null;
    }
    return id;
  };
  for (const repo of seed.repos) {
    for (const issue of repo.issues) {
      const record = state.issues.find((i) => i.repo === repo.name && i.number === issue.number);
      const refs = issue.blockedBy.map((ref) =>
        resolveIssue(repo.name, ref, `${repo.name}#${issue.number} blockedBy`),
      );
      if (record) record.blockedBy = refs.filter((id): id is string => id !== null);
    }
    for (const pr of repo.pullRequests) {
      const record = state.pullRequests.find((p) => p.repo === repo.name && p.number === pr.number);
      const refs = pr.closes.map((ref) => resolveIssue(repo.name, ref, `${repo.name}#${pr.number} closes`));
      // As on GitHub, the body's closing keywords count when the PR targets the default branch.
      const keywords =
        record !== undefined && record.baseRefName === repo.defaultBranch
          ? closingReferences(pr.body, repo.name)
              .flatMap((r) => contentIds.get(`${r.repo}#${r.number}`.toLowerCase()) ?? [])
              .filter((id) => issueIds.has(id))
          : [];
      if (record)
        record.closes = [...new Set([...refs.filter((id): id is string => id !== null), ...keywords])];
    }
  }

  for (const seedProject of seed.projects) {
    const projectKey = `project:${seedProject.org}/${seedProject.number}`;
    const project: Project = {
      ...ids(NodePrefix.project, projectKey),
      org: seedProject.org,
      number: seedProject.number,
      title: seedProject.title,
      shortDescription: seedProject.shortDescription,
      closed: false,
      createdAt: at,
      updatedAt: at,
      fields: buildFields(projectKey, seedProject.fields),
    };
    state.projects.push(project);
    seedProject.items.forEach((seedItem, index) => {
      const where = `project ${seedProject.number} item ${index} (${seedItem.content ?? seedItem.draft?.title ?? ""})`;
      const contentId =
        seedItem.content === undefined ? undefined : contentIds.get(seedItem.content.toLowerCase());
      if (seedItem.content !== undefined && contentId === undefined) {
        problems.push(`${where}: ${seedItem.content} is not a seeded issue or pull request`);
        return;
      }
      const key =
        contentId === undefined ? `item:${project.id}:draft:${index}` : `item:${project.id}:${contentId}`;
      const content: Item["content"] =
        contentId === undefined
          ? {
              type: "DraftIssue",
              id: nodeId(NodePrefix.draftIssue, key),
              title: seedItem.draft?.title ?? "",
              body: seedItem.draft?.body ?? "",
            }
          : { type: issueIds.has(contentId) ? "Issue" : "PullRequest", id: contentId };
      const item: Item = {
        ...ids(NodePrefix.item, key),
        projectId: project.id,
        content,
        archivedAt: seedItem.archived ? at : null,
        creator: "phoenix-human",
        createdAt: at,
        updatedAt: at,
        values: {},
      };
      for (const [name, raw] of Object.entries(seedItem.fields)) {
        if (raw === null) continue;
        const field = project.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
        if (field === undefined) {
          problems.push(`${where}: unknown field "${name}"`);
          continue;
        }
        try {
          const value = valueFromHuman(field, raw);
          item.values[field.id] = {
            id: nodeId(valueNodePrefix(value), `${item.id}:${field.id}`),
            value,
            createdAt: at,
            updatedAt: at,
          };
        } catch (error) {
          problems.push(`${where}: ${error instanceof StoreError ? error.message : String(error)}`);
        }
      }
      state.items.push(item);
    });
  }
  seedAccounts(state);
  if (problems.length > 0) throw new SeedError(problems);
  return state;
}
