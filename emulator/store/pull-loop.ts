/**
 * The store's pull-request loop, one object holding its modules so they can reach each other:
 * git data, pull requests, merges and auto-merge, labels, refs, checks, assignments,
 * comments and Copilot. `EmulatorStore.loop` is the one instance.
 */
import { Assignments } from "./assignments.ts";
import { Checks } from "./checks.ts";
import { Comments } from "./comments.ts";
import { Copilot } from "./copilot.ts";
import type { EmulatorStore } from "./emulator-store.ts";
import { Labels } from "./labels.ts";
import { Merges } from "./merges.ts";
import { PullRequests } from "./pull-requests.ts";
import { Refs } from "./refs.ts";
import { RepoGit } from "./repo-git.ts";

export class PullLoop {
  readonly git: RepoGit;
  readonly pulls: PullRequests;
  readonly merges: Merges;
  readonly labels: Labels;
  readonly refs: Refs;
  readonly checks: Checks;
  readonly assignments: Assignments;
  readonly comments: Comments;
  readonly copilot: Copilot;

  constructor(store: EmulatorStore) {
    this.git = new RepoGit(store);
    this.pulls = new PullRequests(store, this);
    this.merges = new Merges(store, this);
    this.labels = new Labels(store);
    this.refs = new Refs(store, this);
    this.checks = new Checks(store, this);
    this.assignments = new Assignments(store, this);
    this.comments = new Comments(store);
    this.copilot = new Copilot(store, this);
  }
}
