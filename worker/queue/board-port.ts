/**
 * What the RepoQueue and the supervisor need from the board: the part of the board client
 * they call. Narrow on purpose, so the loop's dependencies are visible in one place.
 */
import type { BoardClient } from "../board/board-client.ts";

export type BoardPort = Pick<
  BoardClient,
  | "listItems"
  | "scanItems"
  | "getItems"
  | "getItem"
  | "getIssueStates"
  | "writeClaim"
  | "renewLease"
  | "releaseClaim"
  | "updateFields"
  | "projectId"
  | "budget"
  | "pullRequests"
  | "copilot"
>;
