/**
 * The in-memory GitHub: state plus indexes, the reads the GraphQL resolvers need, and the
 * board and issue writes that mutations and admin edits make; the pull-request loop's writes
 * live in the modules it holds (`pulls`, `labels`, `checks`, `refs`, …). Every write announces
 * a `StoreEvent` (webhooks and the state file listen). Single-threaded like the rest of Node.
 */
import { accountFor } from "./accounts.ts";
import { sameValue, valueNodePrefix } from "./field-values.ts";
import { filterableItem } from "./filterable-item.ts";
import { nodeId } from "./ids.ts";
import { newIssue, newItem } from "./new-records.ts";
import { compileItemFilter, normalizeFieldName } from "./item-filter.ts";
import type {
  EmulatorState,
  FieldValueInput,
  Issue,
  Item,
  Org,
  Project,
  ProjectField,
  PullRequest,
  Repo,
} from "./state-schema.ts";
import type { Account, Label } from "./pull-state-schema.ts";
import { PullLoop } from "./pull-loop.ts";
import { notFound, StoreError, type StoreEvent, type StoreListener } from "./store-events.ts";

export type StoreNode =
  | { kind: "org"; record: Org }
  | { kind: "repo"; record: Repo }
  | { kind: "issue"; record: Issue }
  | { kind: "pullRequest"; record: PullRequest }
  | { kind: "project"; record: Project }
  | { kind: "field"; record: ProjectField; project: Project }
  | { kind: "item"; record: Item }
  | { kind: "label"; record: Label }
  | { kind: "account"; record: Account };

export class EmulatorStore {
  #state: EmulatorState;
  #nodes = new Map<string, StoreNode>();
  #listeners = new Set<StoreListener>();
  readonly now: () => string;
  /** The pull-request loop's writes: PRs, labels, refs, checks, assignments, Copilot. */
  readonly loop: PullLoop;

  constructor(state: EmulatorState, now: () => string = () => new Date().toISOString()) {
    this.#state = state;
    this.now = now;
    this.#reindex();
    this.loop = new PullLoop(this);
  }

  get state(): EmulatorState {
    return this.#state;
  }

  /** A deep copy, safe to serialize or hand out. */
  snapshot(): EmulatorState {
    return structuredClone(this.#state);
  }

  replaceState(state: EmulatorState): void {
    this.#state = state;
    this.#reindex();
    this.emit({ type: "state.replaced" });
  }

  subscribe(listener: StoreListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Announces a change to every listener (webhooks, the state file). */
  emit(event: StoreEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** Makes a new record reachable by `node(id)`. */
  register(node: StoreNode): void {
    this.#nodes.set(node.record.id, node);
  }

  #reindex(): void {
    this.#nodes.clear();
    const s = this.#state;
    for (const record of s.orgs) this.#nodes.set(record.id, { kind: "org", record });
    for (const record of s.repos) this.#nodes.set(record.id, { kind: "repo", record });
    for (const record of s.issues) this.#nodes.set(record.id, { kind: "issue", record });
    for (const record of s.pullRequests) this.#nodes.set(record.id, { kind: "pullRequest", record });
    for (const project of s.projects) {
      this.#nodes.set(project.id, { kind: "project", record: project });
      for (const record of project.fields) this.#nodes.set(record.id, { kind: "field", record, project });
    }
    for (const record of s.items) this.#nodes.set(record.id, { kind: "item", record });
    for (const record of s.labels) this.#nodes.set(record.id, { kind: "label", record });
    for (const record of s.accounts) this.#nodes.set(record.id, { kind: "account", record });
  }

  // Reads

  node(id: string): StoreNode | undefined {
    return this.#nodes.get(id);
  }

  /** The account of a login (either form), registered so `node(id)` finds it. */
  account(login: string): Account {
    const wanted = accountFor(login);
    const existing = this.#nodes.get(wanted.id);
    if (existing?.kind === "account") return existing.record;
    this.#state.accounts.push(wanted);
    this.register({ kind: "account", record: wanted });
    return wanted;
  }

  org(login: string): Org | undefined {
    return this.#state.orgs.find((org) => org.login.toLowerCase() === login.toLowerCase());
  }

  repo(nameWithOwner: string): Repo | undefined {
    const key = nameWithOwner.toLowerCase();
    return this.#state.repos.find((repo) => `${repo.owner}/${repo.name}`.toLowerCase() === key);
  }

  issue(id: string): Issue {
    const node = this.#nodes.get(id);
    if (node?.kind !== "issue") throw notFound(id);
    return node.record;
  }

  pullRequest(id: string): PullRequest {
    const node = this.#nodes.get(id);
    if (node?.kind !== "pullRequest") throw notFound(id);
    return node.record;
  }

  project(id: string): Project {
    const node = this.#nodes.get(id);
    if (node?.kind !== "project") throw notFound(id);
    return node.record;
  }

  item(id: string): Item {
    const node = this.#nodes.get(id);
    if (node?.kind !== "item") throw notFound(id);
    return node.record;
  }

  issueByNumber(repo: string, number: number): Issue | undefined {
    const key = repo.toLowerCase();
    return this.#state.issues.find((i) => i.repo.toLowerCase() === key && i.number === number);
  }

  pullRequestByNumber(repo: string, number: number): PullRequest | undefined {
    const key = repo.toLowerCase();
    return this.#state.pullRequests.find((p) => p.repo.toLowerCase() === key && p.number === number);
  }

  projectByNumber(org: string, number: number): Project | undefined {
    const key = org.toLowerCase();
    return this.#state.projects.find((p) => p.org.toLowerCase() === key && p.number === number);
  }

  fieldByName(project: Project, name: string): ProjectField | undefined {
    const key = normalizeFieldName(name);
    return project.fields.find((field) => normalizeFieldName(field.name) === key);
  }

  field(project: Project, fieldId: string): ProjectField {
    const field = project.fields.find((f) => f.id === fieldId);
    if (field === undefined) throw notFound(fieldId);
    return field;
  }

  itemsOfProject(projectId: string, query?: string | null): Item[] {
    const items = this.#state.items.filter((item) => item.projectId === projectId);
    if (query === undefined || query === null || query.trim() === "") return items;
    const matches = compileItemFilter(query);
    const project = this.project(projectId);
    return items.filter((item) => matches(filterableItem(this, project, item)));
  }

  itemsOfContent(contentId: string): Item[] {
    return this.#state.items.filter((item) => item.content.id === contentId);
  }

  blocking(issueId: string): Issue[] {
    return this.#state.issues.filter((issue) => issue.blockedBy.includes(issueId));
  }

  /** The title of an item's content, as the Title field shows it. */
  itemTitle(item: Item): string {
    if (item.content.type === "DraftIssue") return item.content.title;
    const node = this.#nodes.get(item.content.id);
    return node?.kind === "issue" || node?.kind === "pullRequest" ? node.record.title : "";
  }

  // Writes

  #touch(item: Item, at: string): void {
    item.updatedAt = at;
    const project = this.project(item.projectId);
    project.updatedAt = at;
  }

  setFieldValue(itemId: string, fieldId: string, value: FieldValueInput, actor: string): Item {
    const item = this.item(itemId);
    const field = this.field(this.project(item.projectId), fieldId);
    const from = item.values[field.id] ?? null;
    if (from !== null && sameValue(from.value, value)) return item;
    const at = this.now();
    const to = {
      id: nodeId(valueNodePrefix(value), `${item.id}:${field.id}`),
      value,
      createdAt: from?.createdAt ?? at,
      updatedAt: at,
    };
    item.values[field.id] = to;
    this.#touch(item, at);
    this.emit({ type: "item.fieldChanged", item, field, from, to, actor });
    return item;
  }

  clearFieldValue(itemId: string, fieldId: string, actor: string): Item {
    const item = this.item(itemId);
    const field = this.field(this.project(item.projectId), fieldId);
    const from = item.values[field.id] ?? null;
    if (from === null) return item;
    delete item.values[field.id];
    this.#touch(item, this.now());
    this.emit({ type: "item.fieldChanged", item, field, from, to: null, actor });
    return item;
  }

  /** Links an issue or PR to a project; like GitHub, an existing link is returned as is. */
  addItem(projectId: string, contentId: string, actor: string): Item {
    const project = this.project(projectId);
    const existing = this.#state.items.find((i) => i.projectId === project.id && i.content.id === contentId);
    if (existing !== undefined) return existing;
    const content = this.#nodes.get(contentId);
    if (content?.kind !== "issue" && content?.kind !== "pullRequest") throw notFound(contentId);
    const at = this.now();
    const type = content.kind === "issue" ? "Issue" : "PullRequest";
    const item = newItem(project.id, { type, id: contentId }, actor, at);
    this.#state.items.push(item);
    this.#nodes.set(item.id, { kind: "item", record: item });
    this.#touch(item, at);
    this.emit({ type: "item.created", item, actor });
    return item;
  }

  archiveItem(itemId: string, actor: string): Item {
    const item = this.item(itemId);
    if (item.archivedAt !== null) return item;
    item.archivedAt = this.now();
    this.#touch(item, item.archivedAt);
    this.emit({ type: "item.archived", item, actor });
    return item;
  }

  deleteItem(itemId: string, actor: string): Item {
    const item = this.item(itemId);
    this.#state.items = this.#state.items.filter((i) => i.id !== item.id);
    this.#nodes.delete(item.id);
    this.emit({ type: "item.deleted", item, actor });
    return item;
  }

  addIssue(input: { repo: string; title: string; body?: string; number?: number }, actor: string): Issue {
    const repo = this.repo(input.repo);
    if (repo === undefined)
      throw new StoreError("NOT_FOUND", `Could not resolve to a Repository with the name '${input.repo}'.`);
    const nameWithOwner = `${repo.owner}/${repo.name}`;
    const used = [...this.#state.issues, ...this.#state.pullRequests].filter((r) => r.repo === nameWithOwner);
    const number = input.number ?? Math.max(0, ...used.map((r) => r.number)) + 1;
    if (used.some((r) => r.number === number)) {
      throw new StoreError("UNPROCESSABLE", `${nameWithOwner}#${number} already exists.`);
    }
    const issue = newIssue({ ...input, repo: nameWithOwner, number }, actor, this.now());
    this.#state.issues.push(issue);
    this.#nodes.set(issue.id, { kind: "issue", record: issue });
    this.emit({ type: "issue.opened", issue, actor });
    return issue;
  }

  closeIssue(issueId: string, reason: "COMPLETED" | "NOT_PLANNED" | "DUPLICATE", actor: string): Issue {
    const issue = this.issue(issueId);
    if (issue.state === "CLOSED") return issue;
    const at = this.now();
    Object.assign(issue, { state: "CLOSED", stateReason: reason, closedAt: at, updatedAt: at });
    this.emit({ type: "issue.closed", issue, actor });
    return issue;
  }

  reopenIssue(issueId: string, actor: string): Issue {
    const issue = this.issue(issueId);
    if (issue.state === "OPEN") return issue;
    Object.assign(issue, { state: "OPEN", stateReason: "REOPENED", closedAt: null, updatedAt: this.now() });
    this.emit({ type: "issue.reopened", issue, actor });
    return issue;
  }

  addBlockedBy(issueId: string, blockingIssueId: string): Issue {
    const issue = this.issue(issueId);
    const blocking = this.issue(blockingIssueId);
    if (issue.id === blocking.id) throw new StoreError("UNPROCESSABLE", "An issue cannot block itself.");
    if (!issue.blockedBy.includes(blocking.id)) issue.blockedBy.push(blocking.id);
    issue.updatedAt = this.now();
    this.emit({ type: "issue.dependenciesChanged", issue });
    return issue;
  }

  removeBlockedBy(issueId: string, blockingIssueId: string): Issue {
    const issue = this.issue(issueId);
    this.issue(blockingIssueId);
    issue.blockedBy = issue.blockedBy.filter((id) => id !== blockingIssueId);
    issue.updatedAt = this.now();
    this.emit({ type: "issue.dependenciesChanged", issue });
    return issue;
  }
}
