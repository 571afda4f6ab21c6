/**
 * The normalized view of one Projects v2 item that every rule works on: the board client
 * produces it, the gate and lock rules consume it, the RepoQueue stores it as the item's
 * board snapshot. Pure and JSON-serializable.
 */
import { z } from "zod";

export const IssueRef = z.object({ repo: z.string(), number: z.number().int().positive() });
export type IssueRef = z.infer<typeof IssueRef>;

/** What is known of an issue that something depends on. */
export const IssueState = IssueRef.extend({
  state: z.enum(["OPEN", "CLOSED"]),
  /** COMPLETED, NOT_PLANNED, DUPLICATE, REOPENED, or null when GitHub has none. */
  stateReason: z.string().nullable(),
  /** Its Status on the workspace's project, when it is on it (read with the issue's state). */
  boardStatus: z.string().nullable().optional(),
});
export type IssueState = z.infer<typeof IssueState>;

export const BoardItem = z.object({
  /** Project item node id (`PVTI_…`). */
  itemId: z.string(),
  contentType: z.enum(["Issue", "PullRequest", "DraftIssue", "Redacted"]),
  /** Content node id (issue or PR), null for drafts. */
  contentId: z.string().nullable(),
  repo: z.string().nullable(),
  number: z.number().int().nullable(),
  title: z.string(),
  url: z.string().nullable(),
  body: z.string().default(""),
  /** Issue or PR state; a merged PR is CLOSED with `merged: true`. */
  state: z.enum(["OPEN", "CLOSED"]).nullable(),
  stateReason: z.string().nullable(),
  merged: z.boolean().default(false),
  isArchived: z.boolean().default(false),
  updatedAt: z.string(),
  /** Board field values by configured role (see FieldNames); null when unset. */
  fields: z.object({
    status: z.string().nullable(),
    dependsOn: z.string().nullable(),
    area: z.string().nullable(),
    neededFiles: z.string().nullable(),
    lockScope: z.string().nullable(),
    lockKey: z.string().nullable(),
    claimOwner: z.string().nullable(),
    leaseExpires: z.string().nullable(),
    lastHeartbeat: z.string().nullable(),
    priority: z.string().nullable(),
    agentMode: z.string().nullable(),
    /** Absent in snapshots stored before the field existed. */
    baseBranch: z.string().nullable().default(null),
  }),
  /** GitHub's own issue dependencies (`Issue.blockedBy`). */
  blockedBy: z.array(IssueState).default([]),
  /** Issues a PR closes when merged (`closingIssuesReferences`). */
  closes: z.array(IssueRef).default([]),
});
export type BoardItem = z.infer<typeof BoardItem>;
export type FieldRole = keyof BoardItem["fields"];

/** Every field role unset: the start of a snapshot before field values are read. */
export function emptyFields(): BoardItem["fields"] {
  return {
    status: null,
    dependsOn: null,
    area: null,
    neededFiles: null,
    lockScope: null,
    lockKey: null,
    claimOwner: null,
    leaseExpires: null,
    lastHeartbeat: null,
    priority: null,
    agentMode: null,
    baseBranch: null,
  };
}
