/**
 * What a RepoQueue adds to its state for the dashboard: the pull requests on the board with
 * the issues they close, so the page links an item's run to its PR. Read from the mirror; no
 * GitHub call. (The agent's last event of a run is the run's own `lastEvent`.)
 */
import type { IssueRef } from "../board/board-item.ts";
import type { BoardMirror } from "./board-mirror.ts";

export interface LivePullRequest {
  number: number | null;
  title: string;
  url: string | null;
  state: "OPEN" | "CLOSED" | null;
  merged: boolean;
  closes: IssueRef[];
}

export interface LiveRepoFields {
  pullRequests: LivePullRequest[];
}

export function liveRepoFields(mirror: BoardMirror): LiveRepoFields {
  return {
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
