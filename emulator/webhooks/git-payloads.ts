/**
 * Branch deliveries as GitHub sends them, typed with @octokit/openapi-webhooks-types:
 * `create` and `delete` (ref_type branch) and `push` (before, after, the commits added,
 * created/deleted/forced, the pusher). Used by webhook-payloads.ts.
 */
import type { EmulatorStore } from "../store/emulator-store.ts";
import type { GitCommit } from "../store/pull-state-schema.ts";
import { ZERO_OID } from "../store/store-events.ts";
import { orgSimple, restRepository, simpleUser, web, type Schemas } from "./rest-shapes.ts";
import type { WebhookMessage } from "./webhook-message.ts";

function context(store: EmulatorStore, repoName: string, actor: string) {
  const repo = store.loop.git.repo(repoName);
  return {
    repository: restRepository(store, repo),
    organization: orgSimple(store, repo.owner),
    sender: simpleUser(actor),
  };
}

export function refMessage(
  store: EmulatorStore,
  kind: "create" | "delete",
  repoName: string,
  branch: string,
  actor: string,
): WebhookMessage {
  const common = context(store, repoName, actor);
  if (kind === "create") {
    const payload: Schemas["webhook-create"] = {
      ref: branch,
      ref_type: "branch",
      master_branch: common.repository.default_branch,
      description: null,
      pusher_type: "user",
      ...common,
    };
    return { event: "create", action: "", payload: { ...payload, ...common } };
  }
  const payload: Schemas["webhook-delete"] = {
    ref: branch,
    ref_type: "branch",
    pusher_type: "user",
    ...common,
  };
  return { event: "delete", action: "", payload: { ...payload, ...common } };
}

function pushCommit(repo: string, commit: GitCommit) {
  const person = { name: commit.authorName, email: commit.authorEmail, date: commit.authoredDate };
  return {
    id: commit.oid,
    tree_id: commit.oid,
    distinct: true,
    message: commit.message,
    timestamp: commit.committedDate,
    url: `${web}/${repo}/commit/${commit.oid}`,
    author: person,
    committer: { ...person, date: commit.committedDate },
    added: [],
    removed: [],
    modified: [],
  };
}

export function pushMessage(
  store: EmulatorStore,
  event: {
    repo: string;
    branch: string;
    before: string;
    after: string;
    commits: GitCommit[];
    forced: boolean;
    actor: string;
  },
): WebhookMessage {
  const common = context(store, event.repo, event.actor);
  const commits = event.commits.map((c) => pushCommit(event.repo, c));
  const pusher = simpleUser(event.actor);
  const payload: Schemas["webhook-push"] = {
    ref: `refs/heads/${event.branch}`,
    before: event.before,
    after: event.after,
    created: event.before === ZERO_OID,
    deleted: event.after === ZERO_OID,
    forced: event.forced,
    base_ref: null,
    compare: `${web}/${event.repo}/compare/${event.before.slice(0, 12)}...${event.after.slice(0, 12)}`,
    commits,
    head_commit: commits.at(-1) ?? null,
    pusher: { name: pusher.login, email: `${pusher.id}+${pusher.login}@users.noreply.github.com` },
    ...common,
  };
  return { event: "push", action: "", payload: { ...payload, ...common } };
}
