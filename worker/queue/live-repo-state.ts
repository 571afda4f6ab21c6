/**
 * What a RepoQueue adds to its state for the dashboard: the agent's last event of each recent
 * run, and the pull requests on the board with the issues they close, so the page links an
 * item to its PR. Read from storage and the mirror; no GitHub call.
 */
import type { IssueRef } from "../board/board-item.ts";
import type { BoardMirror } from "./board-mirror.ts";
import type { RunEvent, RunEvents } from "./run-events.ts";
import type { Run } from "./runs.ts";

export interface LivePullRequest {
  number: number | null;
  title: string;
  url: string | null;
  state: "OPEN" | "CLOSED" | null;
  merged: boolean;
  closes: IssueRef[];
}

export interface LiveRepoFields {
  /** The agent's last event (not a heartbeat) of each run in `runs`. */
  runEvents: RunEvent[];
  pullRequests: LivePullRequest[];
}

export function liveRepoFields(mirror: BoardMirror, events: RunEvents, runs: readonly Run[]): LiveRepoFields {
  return {
    runEvents: events.of(runs.map((run) => run.runId)),
    pullRequests: mirror
      .items()
      .filter((item) => item.contentType === "PullRequest")
      .map((item) => ({
        number: item.number,
        title: item.title,
        url: item.url,
        state: item.state,
        merged: item.merged,
        closes: item.closes,
      })),
  };
}
