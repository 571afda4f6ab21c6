/**
 * GitHub's Copilot coding agent, played by the admin API: assigned to an issue it starts a
 * session; it then opens a linked pull request from a `copilot/…` branch (a draft, body
 * "Fixes #N", authored by the Copilot bot), marks it ready and asks its assigner to review,
 * or reports that its session failed with a comment. Used by assignments.ts and admin routes.
 */
import { accountFor, COPILOT_AGENT } from "./accounts.ts";
import type { AgentAssignment } from "./assignments.ts";
import type { EmulatorStore } from "./emulator-store.ts";
import type { FileChange } from "../git/git-backend.ts";
import type { PullLoop } from "./pull-loop.ts";
import type { CopilotSession } from "./pull-state-schema.ts";
import type { Issue, PullRequest } from "./state-schema.ts";
import { unprocessable } from "./store-events.ts";

const COPILOT_IDENTITY = {
  name: "copilot-swe-agent[bot]",
  email: "198982749+Copilot@users.noreply.github.com",
};

export class Copilot {
  readonly #store: EmulatorStore;
  readonly #loop: PullLoop;

  constructor(store: EmulatorStore, loop: PullLoop) {
    this.#store = store;
    this.#loop = loop;
  }

  session(issue: Issue): CopilotSession | undefined {
    return this.#store.state.copilotSessions.findLast((s) => s.issueId === issue.id);
  }

  start(issue: Issue, assignedBy: string, agent: AgentAssignment): CopilotSession {
    const session: CopilotSession = {
      issueId: issue.id,
      state: "WORKING",
      assignedBy: this.#store.account(assignedBy).login,
      baseRef: agent.baseRef ?? null,
      customInstructions: agent.customInstructions ?? null,
      pullRequestId: null,
      startedAt: this.#store.now(),
      endedAt: null,
    };
    this.#store.state.copilotSessions.push(session);
    return session;
  }

  stop(issue: Issue): void {
    const session = this.session(issue);
    if (session?.state !== "WORKING") return;
    Object.assign(session, { state: "FAILED", endedAt: this.#store.now() });
  }

  #working(issue: Issue): CopilotSession {
    const session = this.session(issue);
    if (session?.state !== "WORKING")
      throw unprocessable(`Copilot is not working on ${issue.repo}#${issue.number}: assign it first`);
    return session;
  }

  /** Copilot pushes a branch and opens its pull request, linked to the issue by "Fixes #N". */
  openPullRequest(
    issue: Issue,
    input: { title?: string; body?: string; files?: FileChange[]; draft: boolean },
  ): PullRequest {
    const session = this.#working(issue);
    if (session.pullRequestId !== null)
      throw unprocessable("Copilot has already opened a pull request for this issue");
    const repo = this.#loop.git.repo(issue.repo);
    const git = this.#loop.git.backend(repo);
    const base = session.baseRef ?? repo.defaultBranch;
    let branch = `copilot/fix-${issue.number}`;
    for (let n = 2; git.branch(branch) !== null; n++) branch = `copilot/fix-${issue.number}-${n}`;
    const files = input.files ?? [
      {
        path: `copilot/issue-${issue.number}.md`,
        content: `# ${issue.title}\n\nWork for #${issue.number}.\n`,
      },
    ];
    this.#loop.refs.commitFiles(
      repo,
      {
        branch,
        from: base,
        files,
        message: `Work on #${issue.number}: ${issue.title}`,
        author: COPILOT_IDENTITY,
        date: this.#store.now(),
      },
      COPILOT_AGENT,
    );
    const pr = this.#loop.pulls.create({
      repo,
      baseRefName: base,
      headRefName: branch,
      title: input.title ?? `[WIP] ${issue.title}`,
      body: input.body ?? `Fixes #${issue.number}\n\nCopilot is working on this issue.`,
      draft: input.draft,
      actor: COPILOT_AGENT,
    });
    session.pullRequestId = pr.id;
    const people = [accountFor(COPILOT_AGENT), this.#store.account(session.assignedBy)];
    this.#loop.assignments.replace({ kind: "pullRequest", record: pr }, people, COPILOT_AGENT);
    return pr;
  }

  /** Copilot finishes: its PR leaves draft and its assigner is asked to review. */
  finish(issue: Issue, input: { title?: string }): PullRequest {
    const session = this.#working(issue);
    const pr = session.pullRequestId === null ? null : this.#store.pullRequest(session.pullRequestId);
    if (pr === null) throw unprocessable("Copilot has not opened a pull request for this issue yet");
    if (input.title !== undefined) this.#loop.pulls.update(pr, { title: input.title }, COPILOT_AGENT);
    this.#loop.pulls.setDraft(pr, false, COPILOT_AGENT);
    Object.assign(session, { state: "COMPLETED", endedAt: this.#store.now() });
    this.#loop.pulls.requestReviews(pr, [this.#store.account(session.assignedBy)], true, COPILOT_AGENT);
    return pr;
  }

  /** Copilot's session fails: it says so on its PR (or the issue) and stops. */
  fail(issue: Issue, reason: string): CopilotSession {
    const session = this.#working(issue);
    Object.assign(session, { state: "FAILED", endedAt: this.#store.now() });
    const subject = session.pullRequestId ?? issue.id;
    this.#loop.comments.add(
      subject,
      `Copilot stopped work on this due to an error: ${reason}`,
      COPILOT_AGENT,
    );
    return session;
  }
}
