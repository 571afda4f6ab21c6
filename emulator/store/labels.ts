/**
 * Repository labels and labelling: `createLabel` (GitHub refuses a taken name or a bad
 * colour), finding a label by name as `Repository.label(name:)` does (case-insensitively),
 * and adding or removing labels on an issue or pull request with their webhooks.
 */
import { newLabel } from "../seed/seed-repos.ts";
import type { EmulatorStore } from "./emulator-store.ts";
import type { Label } from "./pull-state-schema.ts";
import type { Issue, PullRequest, Repo } from "./state-schema.ts";
import { notFound, unprocessable } from "./store-events.ts";

export type Labelable = { kind: "issue"; record: Issue } | { kind: "pullRequest"; record: PullRequest };

export class Labels {
  readonly #store: EmulatorStore;

  constructor(store: EmulatorStore) {
    this.#store = store;
  }

  ofRepo(repo: string): Label[] {
    return this.#store.state.labels.filter((l) => l.repo === repo);
  }

  byName(repo: string, name: string): Label | undefined {
    return this.ofRepo(repo).find((l) => l.name.toLowerCase() === name.toLowerCase());
  }

  create(
    repo: Repo,
    input: { name: string; color: string; description?: string | null },
    actor: string,
  ): Label {
    const nameWithOwner = `${repo.owner}/${repo.name}`;
    const color = input.color.replace(/^#/, "");
    if (!/^[0-9a-fA-F]{6}$/.test(color)) throw unprocessable("Color is invalid");
    if (input.name.trim() === "") throw unprocessable("Name can't be blank");
    if (this.byName(nameWithOwner, input.name) !== undefined)
      throw unprocessable("Name has already been taken");
    const label = newLabel(
      nameWithOwner,
      { name: input.name, color, description: input.description ?? null },
      this.#store.now(),
    );
    this.#store.state.labels.push(label);
    this.#store.register({ kind: "label", record: label });
    this.#store.emit({ type: "label.created", label, actor });
    return label;
  }

  #labelsOf(ids: readonly string[], repo: string): Label[] {
    return ids.map((id) => {
      const node = this.#store.node(id);
      if (node?.kind !== "label" || node.record.repo !== repo) throw notFound(id);
      return node.record;
    });
  }

  add(target: Labelable, labelIds: readonly string[], actor: string): void {
    const record = target.record;
    for (const label of this.#labelsOf(labelIds, record.repo)) {
      if (record.labels.includes(label.id)) continue;
      record.labels.push(label.id);
      record.updatedAt = this.#store.now();
      this.#announce(target, "labeled", label, actor);
    }
  }

  remove(target: Labelable, labelIds: readonly string[], actor: string): void {
    const record = target.record;
    for (const label of this.#labelsOf(labelIds, record.repo)) {
      if (!record.labels.includes(label.id)) continue;
      record.labels = record.labels.filter((id) => id !== label.id);
      record.updatedAt = this.#store.now();
      this.#announce(target, "unlabeled", label, actor);
    }
  }

  /** Sets exactly these labels (updatePullRequest's `labelIds`). */
  replace(target: Labelable, labelIds: readonly string[], actor: string): void {
    this.#labelsOf(labelIds, target.record.repo);
    this.remove(
      target,
      target.record.labels.filter((id) => !labelIds.includes(id)),
      actor,
    );
    this.add(target, labelIds, actor);
  }

  #announce(target: Labelable, action: "labeled" | "unlabeled", label: Label, actor: string): void {
    if (target.kind === "issue")
      this.#store.emit({
        type: action === "labeled" ? "issue.labeled" : "issue.unlabeled",
        issue: target.record,
        label,
        actor,
      });
    else this.#store.emit({ type: "pullRequest", action, pullRequest: target.record, label, actor });
  }
}
