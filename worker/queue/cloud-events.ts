/**
 * What webhook events say of a Copilot session, applied without a GitHub call: Copilot's pull
 * request (by its author, naming the issue with a closing keyword) is linked to the session;
 * its opening, pushes and edits are progress; leaving draft means it finished; its comment
 * "Copilot stopped work …", a person unassigning it, or the PR closed unmerged mean it failed.
 * Says whether a gate pass must settle the session. Used by the repo loop's applyDelta.
 */
import { closingReferences } from "../board/closing-keywords.ts";
import { isCopilotLogin } from "../board/copilot-client.ts";
import { sameRepo } from "../board/issue-refs.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import type { CloudSession } from "./cloud-sessions.ts";
import { noteProgress, type ProgressDeps } from "./cloud-runs.ts";
import type { Run } from "./runs.ts";

export interface CloudEventDeps extends ProgressDeps {
  repo: { name: string };
  /** The login the dispatcher writes as (its own unassignment is not a person's). */
  selfLogin: () => string | null;
}

type PullRequestEvent = Extract<WorkspaceEvent, { kind: "pull_request" }>;
type CommentEvent = Extract<WorkspaceEvent, { kind: "issue_comment" }>;
type IssueEvent = Extract<WorkspaceEvent, { kind: "issue" }>;

/** GitHub's words when Copilot's session stops on an error (on its PR, or the issue). */
const FAILURE = /^\s*Copilot stopped work\b/i;

export function noteCloudEvent(deps: CloudEventDeps, event: WorkspaceEvent): boolean {
  if (event.kind === "project_item" || !sameRepo(event.repo, deps.repo.name)) return false;
  if (event.kind === "pull_request") return notePullRequest(deps, event);
  if (event.kind === "issue_comment") return noteComment(deps, event);
  if (event.kind === "issue" && event.action === "unassigned") return noteUnassigned(deps, event);
  return false;
}

function live(
  deps: CloudEventDeps,
  session: CloudSession | null,
): { session: CloudSession; run: Run } | null {
  if (session === null) return null;
  const run = deps.runs.get(session.runId);
  return run === null || run.state === "finished" ? null : { session, run };
}

/** The session a PR event is about: its linked PR, or Copilot's PR naming the session's issue. */
function sessionOf(
  deps: CloudEventDeps,
  event: PullRequestEvent,
): { session: CloudSession; run: Run } | null {
  const linked = live(deps, deps.cloud.byPullRequest(event.number));
  if (linked !== null) return linked;
  if (!isCopilotLogin(event.author) && !isCopilotLogin(event.sender)) return null;
  for (const ref of closingReferences(event.body, event.repo)) {
    if (!sameRepo(ref.repo, deps.repo.name)) continue;
    const found = live(deps, deps.cloud.byIssue(ref.number));
    if (found !== null && found.session.pullRequest === null) return found;
  }
  return null;
}

function notePullRequest(deps: CloudEventDeps, event: PullRequestEvent): boolean {
  const found = sessionOf(deps, event);
  if (found === null) return false;
  const { session, run } = found;
  const pr = { number: event.number, id: event.contentId, url: event.url, headRef: event.headRef };
  const first = session.pullRequest === null;
  if (event.action === "closed") {
    // Merged: the PR loop takes it from here (and its closing keyword closes the issue).
    if (event.merged) {
      noteProgress(deps, run, `Copilot's pull request #${event.number} was merged`, pr);
      deps.cloud.setPhase(run.runId, "ready");
    } else {
      const by = event.sender === null ? "" : ` by @${event.sender}`;
      deps.cloud.setPhase(
        run.runId,
        "failed",
        `Copilot's pull request #${event.number} was closed without merge${by}.`,
      );
    }
    return true;
  }
  // Only Copilot's own actions are its progress (a person labelling the PR is not).
  if (!isCopilotLogin(event.sender)) return false;
  const done = event.action === "ready_for_review" || (event.action === "opened" && !event.draft);
  const what = first
    ? `Copilot opened pull request #${event.number}${event.headRef ? ` from ${event.headRef}` : ""}`
    : done
      ? `Copilot marked pull request #${event.number} ready for review`
      : `Copilot: pull request #${event.number} ${event.action.replaceAll("_", " ")}`;
  noteProgress(deps, run, what, first ? pr : null);
  if (done) deps.cloud.setPhase(run.runId, "ready");
  return first || done;
}

function noteComment(deps: CloudEventDeps, event: CommentEvent): boolean {
  if (event.action !== "created" || !isCopilotLogin(event.author)) return false;
  const found =
    live(deps, deps.cloud.byIssue(event.number)) ?? live(deps, deps.cloud.byPullRequest(event.number));
  if (found === null) return false;
  if (FAILURE.test(event.body)) {
    const said = event.body.trim().replace(/\s+/g, " ").slice(0, 500);
    deps.cloud.setPhase(found.run.runId, "failed", `Copilot's session failed: "${said}"`);
    return true;
  }
  noteProgress(deps, found.run, `Copilot commented on #${event.number}`);
  return false;
}

function noteUnassigned(deps: CloudEventDeps, event: IssueEvent): boolean {
  if (!isCopilotLogin(event.assignee)) return false;
  const self = deps.selfLogin();
  if (self !== null && event.sender === self) return false;
  const found = live(deps, deps.cloud.byIssue(event.number));
  if (found === null) return false;
  const by = event.sender === null ? "" : ` by @${event.sender}`;
  deps.cloud.setPhase(found.run.runId, "failed", `Copilot was unassigned from the issue${by}.`);
  return true;
}
