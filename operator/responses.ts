/**
 * The operator API's answers as `wf` reads them: only the fields it shows, so the Worker may
 * add more (e.g. a lock map in /api/state) without breaking the CLI. Used by commands.ts and
 * the renderers.
 */
import { z } from "zod";

const Budget = z.object({
  limit: z.number().nullable(),
  remaining: z.number().nullable(),
  resetAt: z.string().nullable(),
  totalCost: z.number().optional(),
});

export const QaEntry = z.object({
  repo: z.string(),
  number: z.number(),
  title: z.string(),
  url: z.string().nullable(),
});
export type QaEntry = z.infer<typeof QaEntry>;

const Item = z.object({
  number: z.number(),
  title: z.string(),
  state: z.string(),
  verdict: z.string(),
  reason: z.string(),
  attempts: z.number(),
  notBefore: z.number(),
});

const Run = z.object({
  runId: z.string(),
  number: z.number(),
  fence: z.number(),
  agentId: z.string(),
  state: z.string(),
  lockKeys: z.string(),
  leaseExpires: z.number(),
  lastHeartbeat: z.number(),
  outcome: z.string().nullable(),
});

const StaleClaim = z.object({
  number: z.number().nullable(),
  claimOwner: z.string(),
  leaseExpires: z.string().nullable(),
  lockKey: z.string().nullable(),
});

/** A held lock of the repo's lock map: the key, the item holding it, and how it holds it. */
const Lock = z.object({
  key: z.string(),
  number: z.number().nullable(),
  title: z.string(),
  holder: z.string(),
  runId: z.string().nullable(),
  claimOwner: z.string().nullable(),
  status: z.string().nullable(),
});

/** An item's pull request as the Worker tracks it, from the run's branch to the merge or close. */
const Review = z.object({
  number: z.number(),
  state: z.string(),
  prNumber: z.number().nullable(),
  prUrl: z.string().nullable(),
  tier: z.string(),
  qa: z.string(),
  landing: z.string(),
  detail: z.string(),
});

export const StateAnswer = z.object({
  workspace: z.string(),
  /** The whole workspace's budget, where the Worker reports one. */
  budget: Budget.nullable().optional(),
  project: z.object({ org: z.string(), number: z.number() }),
  qaSequence: z.array(QaEntry),
  repos: z.array(
    z.object({
      name: z.string(),
      paused: z.boolean(),
      items: z.array(Item),
      runs: z.array(Run),
      agents: z.array(z.object({ agentId: z.string(), capacity: z.number(), liveRuns: z.number() })),
      staleClaims: z.array(StaleClaim),
      budget: Budget.nullable(),
      lastRefresh: z.object({ at: z.string(), error: z.string().nullable() }).nullable(),
      locks: z.array(Lock).optional(),
      /** The items' pull requests (Workers that predate them send none). */
      reviews: z.array(Review).optional(),
    }),
  ),
});
export type StateAnswer = z.infer<typeof StateAnswer>;
export type RepoAnswer = StateAnswer["repos"][number];

export const Explanation = z.object({
  item: z.string(),
  title: z.string(),
  url: z.string().nullable(),
  summary: z.string(),
  board: z.record(z.string(), z.string().nullable()).nullable(),
  gate: z.object({ kind: z.string(), reason: z.string() }),
  requested: z.union([
    z.object({ area: z.string(), scope: z.string(), keys: z.string() }),
    z.object({ problem: z.string() }),
  ]),
  holders: z.array(
    z.object({
      item: z.string(),
      title: z.string(),
      kind: z.string(),
      status: z.string().nullable(),
      claimOwner: z.string().nullable(),
      leaseExpires: z.string().nullable(),
      heldKeys: z.string(),
      overlapping: z.string(),
    }),
  ),
  dependencies: z.array(z.object({ item: z.string(), source: z.string(), state: z.string() })),
  queue: z
    .object({
      state: z.string(),
      verdict: z.string(),
      reason: z.string(),
      attempts: z.number(),
      maxAttempts: z.number(),
      retryNotBefore: z.string().nullable(),
    })
    .nullable(),
  run: z
    .object({
      runId: z.string(),
      fence: z.number(),
      agentId: z.string(),
      state: z.string(),
      leaseExpires: z.string(),
      lastHeartbeat: z.string(),
      lockKeys: z.string(),
    })
    .nullable(),
  paused: z.boolean(),
  agents: z.number(),
});
export type Explanation = z.infer<typeof Explanation>;

export const QaAnswer = z.object({ current: QaEntry.nullable(), qaSequence: z.array(QaEntry) });

export const VerdictAnswer = z.object({
  item: z.string(),
  verdict: z.string(),
  changed: z.boolean(),
  status: z.string(),
});

export const SteerAnswer = z.object({
  item: z.string().nullable(),
  runId: z.string().optional(),
  steerId: z.string(),
  sourceEventId: z.string(),
  command: z.string(),
  queued: z.boolean(),
  changed: z.boolean(),
});

export const ActionAnswer = z.object({ item: z.string(), changed: z.boolean(), detail: z.string() });

export const PauseAnswer = z.object({
  paused: z.boolean(),
  changed: z.array(z.string()),
  unchanged: z.array(z.string()),
});

export const TokenAnswer = z.object({ repo: z.string(), token: z.string() });

/** A person's claim as the board shows it after `wf claim`, `wf renew` or `wf unclaim`. */
export const ClaimAnswer = z.object({
  item: z.string(),
  changed: z.boolean(),
  detail: z.string(),
  claim: z
    .object({
      claimOwner: z.string(),
      lockKey: z.string().nullable(),
      leaseExpires: z.string().nullable(),
      status: z.string().nullable(),
    })
    .nullable(),
});
export type ClaimAnswer = z.infer<typeof ClaimAnswer>;
