/**
 * GitHub's REST representations of CI reports, typed with @octokit/openapi-webhooks-types:
 * the app behind a check suite, check runs (`check-run-with-simple-check-suite`), check
 * suites, commit statuses, and a commit as status deliveries embed it. Used by the CI
 * webhooks and the REST check-run and status routes.
 */
import type { EmulatorStore } from "../store/emulator-store.ts";
import { databaseId } from "../store/ids.ts";
import type { CheckRun, CheckSuite, CommitStatus, GitCommit } from "../store/pull-state-schema.ts";
import { minimalPullRequest } from "./rest-pull-request.ts";
import { api, restRepository, simpleUser, web, type Schemas } from "./rest-shapes.ts";

type Integration = NonNullable<Schemas["integration"]>;

export function integration(slug: string) {
  return {
    id: databaseId(`app:${slug}`),
    slug,
    node_id: `A_${databaseId(`app:${slug}`)}`,
    owner: simpleUser("github"),
    name: slug === "github-actions" ? "GitHub Actions" : slug,
    description: null,
    external_url: `${web}/apps/${slug}`,
    html_url: `${web}/apps/${slug}`,
    created_at: "2018-07-30T09:30:17Z",
    updated_at: "2024-04-10T20:33:16Z",
    permissions: { checks: "write", contents: "read", metadata: "read", statuses: "write" } as const,
    events: ["check_run" as const, "check_suite" as const],
  } satisfies Integration;
}

const lower = <T extends string>(value: T): Lowercase<T> => value.toLowerCase() as Lowercase<T>;

function prsAt(store: EmulatorStore, repo: string, sha: string) {
  return store.loop.pulls
    .openFor(repo)
    .filter((p) => p.headRefOid === sha)
    .map((p) => minimalPullRequest(store, p));
}

function minimalRepository(store: EmulatorStore, repo: string): Schemas["minimal-repository"] {
  return restRepository(store, store.loop.git.repo(repo));
}

export function restCheckSuite(store: EmulatorStore, suite: CheckSuite) {
  return {
    id: suite.databaseId,
    node_id: suite.id,
    head_branch: suite.headBranch,
    head_sha: suite.headSha,
    status: lower(suite.status),
    conclusion: suite.conclusion === null ? null : lower(suite.conclusion),
    url: `${api}/repos/${suite.repo}/check-suites/${suite.databaseId}`,
    before: null,
    after: suite.headSha,
    pull_requests: prsAt(store, suite.repo, suite.headSha),
    app: integration(suite.app),
    repository: minimalRepository(store, suite.repo),
    created_at: suite.createdAt,
    updated_at: suite.updatedAt,
  } satisfies Schemas["simple-check-suite"];
}

export function restCheckRun(store: EmulatorStore, run: CheckRun) {
  const suite = store.loop.checks.suite(run.suiteId);
  const url = `${api}/repos/${run.repo}/check-runs/${run.databaseId}`;
  return {
    id: run.databaseId,
    node_id: run.id,
    head_sha: run.headSha,
    external_id: "",
    url,
    html_url: `${web}/${run.repo}/runs/${run.databaseId}`,
    details_url: run.detailsUrl ?? `${web}/${run.repo}/runs/${run.databaseId}`,
    status: lower(run.status),
    conclusion: run.conclusion === null ? null : lower(run.conclusion),
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.title,
      summary: run.summary,
      text: null,
      annotations_count: 0,
      annotations_url: `${url}/annotations`,
    },
    name: run.name,
    check_suite: restCheckSuite(store, suite),
    app: integration(suite.app),
    pull_requests: prsAt(store, run.repo, run.headSha),
  } satisfies Schemas["check-run-with-simple-check-suite"];
}

export function restStatus(status: CommitStatus) {
  return {
    url: `${api}/repos/${status.repo}/statuses/${status.sha}`,
    avatar_url: simpleUser(status.creator).avatar_url,
    id: status.databaseId,
    node_id: status.id,
    state: lower(status.state),
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.updatedAt,
    creator: simpleUser(status.creator),
  };
}

/** A commit as REST embeds it in `status` deliveries and commit listings. */
export function restCommit(repo: string, commit: GitCommit) {
  const url = `${api}/repos/${repo}/commits/${commit.oid}`;
  const person = (date: string) => ({ name: commit.authorName, email: commit.authorEmail, date });
  return {
    sha: commit.oid,
    node_id: `C_${commit.oid}`,
    url,
    html_url: `${web}/${repo}/commit/${commit.oid}`,
    comments_url: `${url}/comments`,
    commit: {
      author: person(commit.authoredDate),
      committer: person(commit.committedDate),
      message: commit.message,
      comment_count: 0,
      tree: { sha: commit.oid, url: `${api}/repos/${repo}/git/trees/${commit.oid}` },
      url: `${api}/repos/${repo}/git/commits/${commit.oid}`,
      verification: {
        verified: false,
        reason: "unsigned" as const,
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    author: null,
    committer: null,
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api}/repos/${repo}/commits/${sha}`,
      html_url: `${web}/${repo}/commit/${sha}`,
    })),
  };
}
