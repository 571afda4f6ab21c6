/**
 * GitHub's REST representations of accounts, organizations, repositories and labels, typed
 * with @octokit/openapi-webhooks-types: what webhook payloads embed and the REST routes
 * return. Bots appear under their REST login (`Copilot`, `app[bot]`) with type `Bot`.
 */
import type { components } from "@octokit/openapi-webhooks-types";
import { accountFor } from "../store/accounts.ts";
import type { EmulatorStore } from "../store/emulator-store.ts";
import { databaseId } from "../store/ids.ts";
import type { Label } from "../store/pull-state-schema.ts";
import type { Repo } from "../store/state-schema.ts";

export type Schemas = components["schemas"];
export type SimpleUser = Schemas["simple-user"];
export type OrgSimple = Schemas["organization-simple-webhooks"];
export type RestRepository = Schemas["repository"] & Schemas["repository-webhooks"];

export const api = "https://api.github.com";
export const web = "https://github.com";

export function simpleUser(login: string) {
  const account = accountFor(login);
  const url = `${api}/users/${encodeURIComponent(account.login)}`;
  return {
    login: account.login,
    id: account.databaseId,
    node_id: account.id,
    avatar_url: `https://avatars.githubusercontent.com/u/${account.databaseId}?v=4`,
    gravatar_id: "",
    url,
    html_url: account.type === "Bot" ? `${web}/apps/${account.graphqlLogin}` : `${web}/${account.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: account.type,
    site_admin: false,
  } satisfies SimpleUser;
}

export function orgSimple(store: EmulatorStore, login: string) {
  const org = store.org(login);
  const url = `${api}/orgs/${login}`;
  return {
    login,
    id: org?.databaseId ?? databaseId(`org:${login}`),
    node_id: org?.id ?? "",
    url,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${org?.databaseId ?? 0}?v=4`,
    description: null,
  } satisfies OrgSimple;
}

/** The owner as a simple-user (GitHub gives an org owner `type: "Organization"`). */
function ownerUser(store: EmulatorStore, login: string) {
  const org = store.org(login);
  const user = simpleUser(login);
  if (org === undefined) return user;
  return {
    ...user,
    id: org.databaseId,
    node_id: org.id,
    type: "Organization" as const,
    html_url: `${web}/${login}`,
  };
}

export function restRepository(store: EmulatorStore, repo: Repo) {
  const full = `${repo.owner}/${repo.name}`;
  const url = `${api}/repos/${full}`;
  const s = repo.settings;
  return {
    id: repo.databaseId,
    node_id: repo.id,
    name: repo.name,
    full_name: full,
    license: null,
    forks: 0,
    owner: ownerUser(store, repo.owner),
    private: true,
    html_url: `${web}/${full}`,
    description: null,
    fork: false,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_url: `git://github.com/${full}.git`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    ssh_url: `git@github.com:${full}.git`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    clone_url: `${web}/${full}.git`,
    mirror_url: null,
    hooks_url: `${url}/hooks`,
    svn_url: `${web}/${full}`,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues_count: store.state.issues.filter((i) => i.repo === full && i.state === "OPEN").length,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: "private" as const,
    pushed_at: null,
    created_at: "2026-01-05T09:00:00Z",
    updated_at: "2026-01-05T09:00:00Z",
    allow_rebase_merge: s.rebaseMergeAllowed,
    allow_squash_merge: s.squashMergeAllowed,
    allow_auto_merge: s.autoMergeAllowed,
    delete_branch_on_merge: s.deleteBranchOnMerge,
    allow_merge_commit: s.mergeCommitAllowed,
    allow_update_branch: false,
    allow_forking: false,
    web_commit_signoff_required: false,
    open_issues: store.state.issues.filter((i) => i.repo === full && i.state === "OPEN").length,
    watchers: 0,
  } satisfies RestRepository;
}

export function restLabel(label: Label) {
  return {
    id: label.databaseId,
    node_id: label.id,
    url: `${api}/repos/${label.repo}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: label.isDefault,
    archived_at: null,
    archived_by: null,
  };
}

export function labelsOf(store: EmulatorStore, ids: readonly string[]) {
  return ids.flatMap((id) => store.state.labels.find((l) => l.id === id) ?? []).map(restLabel);
}
