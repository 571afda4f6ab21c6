/**
 * The GraphQL view of a repository: its issues and pull requests (filtered by state, head
 * and base as GitHub filters them), branches (`defaultBranchRef`, `ref(qualifiedName:)`,
 * `refs`), labels, merge settings, and `suggestedActors` (the Copilot coding agent first when
 * enabled, then collaborators). Used by the roots and the other views.
 */
import { z } from "zod";
import { accountFor, COPILOT_AGENT } from "../store/accounts.ts";
import type { EmulatorStore } from "../store/emulator-store.ts";
import type { Account } from "../store/pull-state-schema.ts";
import type { Repo } from "../store/state-schema.ts";
import { accountView, actorView } from "./actor-views.ts";
import { connection } from "./connection.ts";
import { issueView, orgView } from "./content-views.ts";
import { filterPullRequests, refView } from "./git-views.ts";
import { labelView, pullRequestView } from "./pull-request-views.ts";
import { githubError } from "./resolver-context.ts";

const web = "https://github.com";
const NumberArg = z.object({ number: z.number().int() });
const NameArg = z.object({ name: z.string() });
const QualifiedNameArg = z.object({ qualifiedName: z.string() });
const RefsArgs = z.looseObject({ refPrefix: z.string(), query: z.string().nullish() });
const StatesArg = z.looseObject({ states: z.array(z.string()).nullish() });
const LabelsArgs = z.looseObject({ labels: z.array(z.string()).nullish(), query: z.string().nullish() });
const OrderArgs = z.looseObject({
  orderBy: z.object({ field: z.string(), direction: z.enum(["ASC", "DESC"]) }).nullish(),
});
const ActorsArgs = z.looseObject({
  capabilities: z.array(z.enum(["CAN_BE_ASSIGNED", "CAN_BE_AUTHOR"])).nullish(),
  loginNames: z.string().nullish(),
  query: z.string().nullish(),
});

/** Who `suggestedActors` lists: Copilot (when enabled and assignment is asked), then collaborators. */
export function suggestedActors(repo: Repo, rawArgs: unknown): unknown {
  const args = ActorsArgs.parse(rawArgs ?? {});
  const people = [...new Set(repo.collaborators)].sort().map((login) => accountFor(login));
  const copilot =
    repo.copilotEnabled && (args.capabilities ?? ["CAN_BE_ASSIGNED"]).includes("CAN_BE_ASSIGNED");
  let actors: Account[] = [...(copilot ? [accountFor(COPILOT_AGENT)] : []), ...people];
  if (args.loginNames != null) {
    const wanted = args.loginNames
      .split(",")
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l !== "")
      .slice(0, 10);
    actors = actors.filter(
      (a) => wanted.includes(a.login.toLowerCase()) || wanted.includes(a.graphqlLogin.toLowerCase()),
    );
  }
  if (args.query != null && args.query !== "") {
    const q = args.query.toLowerCase();
    actors = actors.filter(
      (a) => a.graphqlLogin.toLowerCase().includes(q) || (a.name ?? "").toLowerCase().includes(q),
    );
  }
  return connection(actors, rawArgs, accountView);
}

export function repoView(store: EmulatorStore, repo: Repo): Record<string, unknown> {
  const nameWithOwner = `${repo.owner}/${repo.name}`;
  const owner = store.org(repo.owner);
  const git = () => store.loop.git.backend(repo);
  const byState = <T extends { state: string }>(records: T[], args: unknown): T[] => {
    const states = StatesArg.parse(args ?? {}).states;
    return states == null ? records : records.filter((r) => states.includes(r.state));
  };
  const withLabels = <T extends { labels: string[] }>(records: T[], args: unknown): T[] => {
    const names = LabelsArgs.parse(args ?? {}).labels?.map((n) => n.toLowerCase());
    if (names == null) return records;
    const ids = store.loop.labels
      .ofRepo(nameWithOwner)
      .filter((l) => names.includes(l.name.toLowerCase()))
      .map((l) => l.id);
    return records.filter((r) => r.labels.some((id) => ids.includes(id)));
  };
  const ordered = <T extends { createdAt: string; updatedAt: string }>(records: T[], args: unknown): T[] => {
    const orderBy = OrderArgs.parse(args ?? {}).orderBy;
    if (orderBy == null) return records;
    const key = orderBy.field === "UPDATED_AT" ? "updatedAt" : "createdAt";
    const sorted = [...records].sort((a, b) => a[key].localeCompare(b[key]));
    return orderBy.direction === "DESC" ? sorted.reverse() : sorted;
  };
  const ref = (name: string) => {
    const branch = git().branch(name);
    return branch === null ? null : refView(store, repo, branch);
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
    hasIssuesEnabled: true,
    autoMergeAllowed: repo.settings.autoMergeAllowed,
    mergeCommitAllowed: repo.settings.mergeCommitAllowed,
    squashMergeAllowed: repo.settings.squashMergeAllowed,
    rebaseMergeAllowed: repo.settings.rebaseMergeAllowed,
    deleteBranchOnMerge: repo.settings.deleteBranchOnMerge,
    viewerDefaultMergeMethod: repo.settings.mergeCommitAllowed
      ? "MERGE"
      : repo.settings.squashMergeAllowed
        ? "SQUASH"
        : "REBASE",
    viewerPermission: "WRITE",
    viewerCanAdminister: false,
    defaultBranchRef: () => ref(repo.defaultBranch),
    ref: (args: unknown) => {
      const name = QualifiedNameArg.parse(args).qualifiedName;
      if (name.startsWith("refs/") && !name.startsWith("refs/heads/")) return null;
      return ref(name);
    },
    refs: (args: unknown) => {
      const { refPrefix, query } = RefsArgs.parse(args);
      const branches = refPrefix === "refs/heads/" ? git().branches() : [];
      const found = query == null ? branches : branches.filter((b) => b.name.includes(query));
      return connection(found, args, (b) => refView(store, repo, b));
    },
    label: (args: unknown) => {
      const label = store.loop.labels.byName(nameWithOwner, NameArg.parse(args).name);
      return label === undefined ? null : labelView(store, label);
    },
    labels: (args: unknown) => {
      const query = LabelsArgs.parse(args ?? {}).query?.toLowerCase();
      const labels = store.loop.labels
        .ofRepo(nameWithOwner)
        .filter((l) => query == null || l.name.toLowerCase().includes(query));
      return connection(labels, args, (l) => labelView(store, l));
    },
    suggestedActors: (args: unknown) => suggestedActors(repo, args),
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
        ordered(
          withLabels(
            byState(
              store.state.issues.filter((i) => i.repo === nameWithOwner),
              args,
            ),
            args,
          ),
          args,
        ),
        args,
        (i) => issueView(store, i),
      ),
    pullRequests: (args: unknown) =>
      connection(
        ordered(
          withLabels(
            filterPullRequests(
              store.state.pullRequests.filter((p) => p.repo === nameWithOwner),
              args,
            ),
            args,
          ),
          args,
        ),
        args,
        (p) => pullRequestView(store, p),
      ),
  };
}
