/**
 * GraphQL views of organizations, repositories, issues, pull requests and actors: plain
 * objects whose fields are values or functions of the field's arguments (graphql-js's
 * default resolver calls them), with `__typename` for abstract types. Used by the roots.
 */
import { z } from "zod";
import type { EmulatorStore } from "../store/emulator-store.ts";
import type { Issue, Org, PullRequest, Repo } from "../store/state-schema.ts";
import { connection } from "./connection.ts";
import { itemView, projectView } from "./project-views.ts";
import { githubError } from "./resolver-context.ts";

const web = "https://github.com";
const NumberArg = z.object({ number: z.number().int() });
const NameArg = z.object({ name: z.string() });
const StatesArg = z.looseObject({ states: z.array(z.string()).nullish() });

export function actorView(login: string): Record<string, unknown> {
  const bot = login.endsWith("[bot]");
  return {
    __typename: bot ? "Bot" : "User",
    login,
    url: `${web}/${bot ? "apps/" : ""}${login.replace("[bot]", "")}`,
    resourcePath: `/${login}`,
    avatarUrl: `https://avatars.githubusercontent.com/${login.replace("[bot]", "")}`,
  };
}

function emptyConnection(args: unknown): unknown {
  return connection([], args, (x) => x);
}

export function orgView(store: EmulatorStore, org: Org): Record<string, unknown> {
  return {
    __typename: "Organization",
    id: org.id,
    databaseId: org.databaseId,
    login: org.login,
    name: org.name,
    url: `${web}/${org.login}`,
    resourcePath: `/${org.login}`,
    projectV2: (args: unknown) => {
      const { number } = NumberArg.parse(args);
      const project = store.projectByNumber(org.login, number);
      if (project === undefined)
        throw githubError("NOT_FOUND", `Could not resolve to a ProjectV2 with the number ${number}.`);
      return projectViewLazy(store, project.id);
    },
    projectsV2: (args: unknown) =>
      connection(
        store.state.projects.filter((p) => p.org === org.login),
        args,
        (p) => projectViewLazy(store, p.id),
      ),
    repository: (args: unknown) => {
      const repo = store.repo(`${org.login}/${NameArg.parse(args).name}`);
      return repo === undefined ? null : repoView(store, repo);
    },
  };
}

function projectViewLazy(store: EmulatorStore, id: string): unknown {
  return projectView(store, store.project(id));
}

export function repoView(store: EmulatorStore, repo: Repo): Record<string, unknown> {
  const nameWithOwner = `${repo.owner}/${repo.name}`;
  const owner = store.org(repo.owner);
  const byState = <T extends { state: string }>(records: T[], args: unknown): T[] => {
    const states = StatesArg.parse(args ?? {}).states;
    return states == null ? records : records.filter((r) => states.includes(r.state));
  };
  return {
    __typename: "Repository",
    id: repo.id,
    databaseId: repo.databaseId,
    name: repo.name,
    nameWithOwner,
    owner: owner === undefined ? actorView(repo.owner) : orgView(store, owner),
    url: `${web}/${nameWithOwner}`,
    resourcePath: `/${nameWithOwner}`,
    isPrivate: true,
    isArchived: false,
    issue: (args: unknown) => {
      const { number } = NumberArg.parse(args);
      const issue = store.issueByNumber(nameWithOwner, number);
      if (issue === undefined)
        throw githubError("NOT_FOUND", `Could not resolve to an Issue with the number of ${number}.`);
      return issueView(store, issue);
    },
    pullRequest: (args: unknown) => {
      const { number } = NumberArg.parse(args);
      const pr = store.pullRequestByNumber(nameWithOwner, number);
      if (pr === undefined)
        throw githubError("NOT_FOUND", `Could not resolve to a PullRequest with the number of ${number}.`);
      return pullRequestView(store, pr);
    },
    issueOrPullRequest: (args: unknown) => {
      const { number } = NumberArg.parse(args);
      const issue = store.issueByNumber(nameWithOwner, number);
      if (issue !== undefined) return issueView(store, issue);
      const pr = store.pullRequestByNumber(nameWithOwner, number);
      if (pr !== undefined) return pullRequestView(store, pr);
      throw githubError(
        "NOT_FOUND",
        `Could not resolve to an issue or pull request with the number of ${number}.`,
      );
    },
    issues: (args: unknown) =>
      connection(
        byState(
          store.state.issues.filter((i) => i.repo === nameWithOwner),
          args,
        ),
        args,
        (i) => issueView(store, i),
      ),
    pullRequests: (args: unknown) =>
      connection(
        byState(
          store.state.pullRequests.filter((p) => p.repo === nameWithOwner),
          args,
        ),
        args,
        (p) => pullRequestView(store, p),
      ),
  };
}

function common(store: EmulatorStore, record: Issue | PullRequest, kind: "issues" | "pull") {
  const repo = store.repo(record.repo);
  return {
    id: record.id,
    databaseId: record.databaseId,
    fullDatabaseId: String(record.databaseId),
    number: record.number,
    title: record.title,
    body: record.body,
    bodyText: record.body,
    url: `${web}/${record.repo}/${kind}/${record.number}`,
    resourcePath: `/${record.repo}/${kind}/${record.number}`,
    closed: record.state !== "OPEN",
    closedAt: record.closedAt,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    author: actorView(record.author),
    repository: repo === undefined ? null : repoView(store, repo),
    labels: emptyConnection,
    assignees: emptyConnection,
    locked: false,
    viewerCanUpdate: true,
    projectItems: (args: unknown) =>
      connection(store.itemsOfContent(record.id), args, (item) => itemView(store, item)),
  };
}

export function issueView(store: EmulatorStore, issue: Issue): Record<string, unknown> {
  const blockers = () => issue.blockedBy.map((id) => store.issue(id));
  return {
    __typename: "Issue",
    ...common(store, issue, "issues"),
    state: issue.state,
    stateReason: issue.stateReason,
    blockedBy: (args: unknown) => connection(blockers(), args, (i) => issueView(store, i)),
    blocking: (args: unknown) => connection(store.blocking(issue.id), args, (i) => issueView(store, i)),
    issueDependenciesSummary: () => {
      const blockedBy = blockers();
      const blocking = store.blocking(issue.id);
      return {
        blockedBy: blockedBy.filter((i) => i.state === "OPEN").length,
        totalBlockedBy: blockedBy.length,
        blocking: blocking.filter((i) => i.state === "OPEN").length,
        totalBlocking: blocking.length,
      };
    },
  };
}

export function pullRequestView(store: EmulatorStore, pr: PullRequest): Record<string, unknown> {
  return {
    __typename: "PullRequest",
    ...common(store, pr, "pull"),
    state: pr.state,
    merged: pr.state === "MERGED",
    mergedAt: pr.mergedAt,
    isDraft: false,
    headRefName: pr.headRefName,
    baseRefName: "main",
    closingIssuesReferences: (args: unknown) =>
      connection(
        pr.closes.map((id) => store.issue(id)),
        args,
        (i) => issueView(store, i),
      ),
  };
}
