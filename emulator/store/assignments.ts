/**
 * Who is assigned to an issue or pull request: `replaceActorsForAssignable` replaces the set
 * with people and bots (GitHub's Copilot coding agent when the repo has it enabled; actors
 * that cannot be assigned are left out, as GitHub filters them), sending `assigned` and
 * `unassigned`. Assigning Copilot to an issue starts its session (copilot.ts).
 */
import { COPILOT_AGENT } from "./accounts.ts";
import type { EmulatorStore } from "./emulator-store.ts";
import type { Labelable } from "./labels.ts";
import type { PullLoop } from "./pull-loop.ts";
import type { Account } from "./pull-state-schema.ts";

export interface AgentAssignment {
  baseRef?: string | null;
  customInstructions?: string | null;
  customAgent?: string | null;
  targetRepositoryId?: string | null;
}

export class Assignments {
  readonly #store: EmulatorStore;
  readonly #loop: PullLoop;

  constructor(store: EmulatorStore, loop: PullLoop) {
    this.#store = store;
    this.#loop = loop;
  }

  /** The actors among `accounts` that can be assigned here. */
  assignable(target: Labelable, accounts: readonly Account[]): Account[] {
    const repo = this.#loop.git.repo(target.record.repo);
    return accounts.filter((a) => a.type === "User" || (a.login === COPILOT_AGENT && repo.copilotEnabled));
  }

  replace(target: Labelable, accounts: readonly Account[], actor: string, agent: AgentAssignment = {}): void {
    const record = target.record;
    const wanted = [...new Set(this.assignable(target, accounts).map((a) => a.login))];
    const removed = record.assignees.filter((login) => !wanted.includes(login));
    const added = wanted.filter((login) => !record.assignees.includes(login));
    record.assignees = [...record.assignees.filter((login) => !removed.includes(login)), ...added];
    if (removed.length + added.length > 0) record.updatedAt = this.#store.now();
    for (const assignee of removed) this.#announce(target, "unassigned", assignee, actor);
    for (const assignee of added) this.#announce(target, "assigned", assignee, actor);
    if (target.kind !== "issue") return;
    if (added.includes(COPILOT_AGENT)) this.#loop.copilot.start(target.record, actor, agent);
    if (removed.includes(COPILOT_AGENT)) this.#loop.copilot.stop(target.record);
  }

  #announce(target: Labelable, action: "assigned" | "unassigned", assignee: string, actor: string): void {
    if (target.kind === "issue")
      this.#store.emit({
        type: action === "assigned" ? "issue.assigned" : "issue.unassigned",
        issue: target.record,
        assignee,
        actor,
      });
    else this.#store.emit({ type: "pullRequest", action, pullRequest: target.record, assignee, actor });
  }
}
