/**
 * GraphQL views of organizations and issues, and the fields issues and pull requests share:
 * plain objects whose fields are values or functions of the field's arguments (graphql-js's
 * default resolver calls them), with `__typename` for abstract types. Repositories are in
 * repo-view.ts, pull requests in pull-request-views.ts. Used by the roots.
 */
import { z } from "zod";
import type { EmulatorStore } from "../store/emulator-store.ts";
import type { Issue, Org, PullRequest } from "../store/state-schema.ts";
import { actorView, assignedActors, assigneeUsers } from "./actor-views.ts";
import { connection } from "./connection.ts";
import { itemView, projectView } from "./project-views.ts";
import { labelView, pullRequestView } from "./pull-request-views.ts";
import { repoView, suggestedActors } from "./repo-view.ts";
import { githubError } from "./resolver-context.ts";

const web = "https://github.com";
const NumberArg = z.object({ number: z.number().int() });
const NameArg = z.object({ name: z.string() });
const ClosedByArgs = z.looseObject({ includeClosedPrs: z.boolean().nullish() });

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
      return projectView(store, project);
    },
    projectsV2: (args: unknown) =>
      connection(
        store.state.projects.filter((p) => p.org === org.login),
        args,
        (p) => projectView(store, p),
      ),
    repository: (args: unknown) => {
      const repo = store.repo(`${org.login}/${NameArg.parse(args).name}`);
      return repo === undefined ? null : repoView(store, repo);
    },
  };
}

/** The fields Issue and PullRequest share (both are Assignable, Labelable, Comment-able). */
export function commonView(store: EmulatorStore, record: Issue | PullRequest, kind: "issues" | "pull") {
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
    labels: (args: unknown) =>
      connection(
        record.labels.flatMap((id) => store.state.labels.find((l) => l.id === id) ?? []),
        args,
        (label) => labelView(store, label),
      ),
    assignees: (args: unknown) => assigneeUsers(record.assignees, args),
    assignedActors: (args: unknown) => assignedActors(record.assignees, args),
    suggestedActors: (args: unknown) =>
      repo === undefined ? connection([], args, (x) => x) : suggestedActors(repo, args),
    comments: (args: unknown) =>
      connection(store.loop.comments.of(record.id), args, (c) => ({
        __typename: "IssueComment",
        id: c.id,
        databaseId: c.databaseId,
        body: c.body,
        bodyText: c.body,
        createdAt: c.createdAt,
        updatedAt: c.createdAt,
        author: actorView(c.author),
        url: `${web}/${record.repo}/${kind}/${record.number}#issuecomment-${c.databaseId}`,
      })),
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
    ...commonView(store, issue, "issues"),
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
    // Open and merged PRs whose closing keywords name this issue; closed ones on request.
    closedByPullRequestsReferences: (args: unknown) => {
      const includeClosed = ClosedByArgs.parse(args ?? {}).includeClosedPrs === true;
      const prs = store.state.pullRequests.filter(
        (p) => p.closes.includes(issue.id) && (includeClosed || p.state !== "CLOSED"),
      );
      return connection(prs, args, (p) => pullRequestView(store, p));
    },
  };
}
