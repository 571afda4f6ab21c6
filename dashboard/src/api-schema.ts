/**
 * The parts of the operator API the page reads, as zod/mini schemas: `/api/state` (what the
 * page shows), the live ticket and the error body. The page trusts nothing it has not parsed.
 */
import * as z from "zod/mini";

const text = z.string();
const maybeText = z.nullable(z.string());
const maybeNumber = z.nullable(z.number());

export const HeldLock = z.object({
  key: text,
  number: maybeNumber,
  title: text,
  url: maybeText,
  holder: z.enum(["run", "person", "status"]),
  runId: maybeText,
  claimOwner: maybeText,
  status: maybeText,
});
export type HeldLock = z.infer<typeof HeldLock>;

export const QueueItem = z.object({
  number: z.number(),
  title: text,
  state: text,
  verdict: text,
  reason: text,
  attempts: z.number(),
  notBefore: z.number(),
});
export type QueueItem = z.infer<typeof QueueItem>;

export const Run = z.object({
  runId: text,
  number: z.number(),
  fence: z.number(),
  agentId: text,
  state: text,
  attempt: z.number(),
  leaseExpires: z.number(),
  lastHeartbeat: z.number(),
  startedAt: z.number(),
  finishedAt: maybeNumber,
  outcome: maybeText,
  reason: maybeText,
  branch: maybeText,
  /** The agent's last event (started on its branch, a steer's effect, a scope verdict). */
  lastEvent: z._default(maybeText, null),
  lastEventAt: z._default(maybeNumber, null),
});
export type Run = z.infer<typeof Run>;

export const PullRequest = z.object({
  number: maybeNumber,
  title: text,
  url: maybeText,
  state: maybeText,
  merged: z.boolean(),
  closes: z.array(z.object({ repo: text, number: z.number() })),
});
export type PullRequest = z.infer<typeof PullRequest>;

export const StaleClaim = z.object({
  repo: maybeText,
  number: maybeNumber,
  claimOwner: text,
  leaseExpires: maybeText,
  lockKey: maybeText,
  stillActive: z.boolean(),
  kind: z.enum(["expired", "finished"]),
});
export type StaleClaim = z.infer<typeof StaleClaim>;

export const RepoState = z.object({
  name: text,
  paused: z.boolean(),
  items: z.array(QueueItem),
  locks: z.array(HeldLock),
  runs: z.array(Run),
  agents: z.array(z.object({ agentId: text, capacity: z.number(), liveRuns: z.number() })),
  staleClaims: z.array(StaleClaim),
  pullRequests: z._default(z.array(PullRequest), []),
  lastRefresh: z.nullable(z.object({ at: text, error: maybeText })),
});
export type RepoState = z.infer<typeof RepoState>;

export const Budget = z.object({
  limit: maybeNumber,
  remaining: maybeNumber,
  used: maybeNumber,
  resetAt: maybeText,
  totalCost: z.number(),
  calls: z.number(),
  byKind: z.record(z.string(), z.object({ calls: z.number(), points: z.number() })),
});
export type Budget = z.infer<typeof Budget>;

export const Delivery = z.object({
  id: text,
  event: text,
  action: maybeText,
  receivedAt: text,
  outcome: text,
  repo: maybeText,
  detail: maybeText,
  sender: z._default(maybeText, null),
  echo: z._default(z.boolean(), false),
});
export type Delivery = z.infer<typeof Delivery>;

export const MetaEntry = z.object({
  id: z.number(),
  kind: text,
  repo: maybeText,
  number: maybeNumber,
  detail: text,
  at: text,
});
export type MetaEntry = z.infer<typeof MetaEntry>;

export const QaEntry = z.object({ repo: text, number: z.number(), title: text, url: maybeText });
export type QaEntry = z.infer<typeof QaEntry>;

export const State = z.object({
  workspace: text,
  project: z.object({ org: text, number: z.number() }),
  deliveries: z.array(Delivery),
  deliveryCount: z.number(),
  qaSequence: z.array(QaEntry),
  metaQueue: z.array(MetaEntry),
  budget: z.nullable(Budget),
  repos: z.array(RepoState),
});
export type State = z.infer<typeof State>;

export const LiveTicket = z.object({ ticket: text, url: text, expiresAt: z.number() });

/** What an action answers; the page shows `detail` (or `status`) when there is one. */
export const ActionAnswer = z.object({
  changed: z.optional(z.boolean()),
  detail: z.optional(z.string()),
  status: z.optional(z.string()),
});
export type ActionAnswer = z.infer<typeof ActionAnswer>;

export const ErrorBody = z.object({ error: text });
