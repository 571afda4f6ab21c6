/**
 * The wire contract between a RepoQueue and the local-agent daemon: zod schemas for every
 * WebSocket frame, discriminated on `type`. Pure; imported by both worker/ and local-agent/.
 * Every frame that changes state has an `id`, is acknowledged with an `ack`, and is applied
 * once (both sides drop an id they have already applied). Run frames carry `runId` + `fence`,
 * and the agent's also the run's secret from its dispatch: only that daemon may act on the run.
 */
import { z } from "zod";

export const PROTOCOL = {
  version: 1,
  /** Close codes after the upgrade (4000-4999 are ours). */
  close: {
    protocolError: 4400,
    unauthorized: 4401,
    replaced: 4409,
    versionMismatch: 4426,
  },
} as const;

const MAX_ID = 128;
const id = z.string().min(1).max(MAX_ID);
/**
 * A run id names a folder on the daemon's disk, so it is a contract: 1-128 of `A-Z a-z 0-9 . _ -`,
 * starting with a letter or digit (never `.`, `..`, a slash or an absolute path). It grants
 * nothing by itself: run frames must also carry the run's secret.
 */
export const RunId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    "a run id is 1-128 of A-Z a-z 0-9 . _ - starting with a letter or digit",
  );
const runId = RunId;
const fence = z.number().int().nonnegative();
/**
 * The per-run capability: random, sent once in the dispatch, proved by every later frame of
 * the run. Optional on the wire so older peers still parse; the RepoQueue refuses frames
 * without it for runs it dispatched with one.
 */
export const RunSecret = z
  .string()
  .regex(/^[A-Za-z0-9_-]{32,128}$/, "a run secret is 32-128 base64url characters");
const runSecret = RunSecret.optional();

export const SteeringCommand = z.enum(["append_context", "checkpoint_and_replan", "stop_and_requeue"]);
export type SteeringCommand = z.infer<typeof SteeringCommand>;

export const RunOutcome = z.enum([
  /** The agent left commits on its branch and a clean worktree. */
  "succeeded",
  /** The agent failed, timed out, or left nothing to show. */
  "failed",
  /** No output for the configured stall time. */
  "stalled",
  /** The daemon's live lock re-check found an overlapping active item. */
  "conflict",
  /** Stopped by a steering command or the operator. */
  "stopped",
  /** The base branch was dirty or unpushed, or the worktree could not be made. */
  "refused",
  /**
   * The daemon lost the run to its own restart or crash, not to the item: requeued without
   * using up an attempt; the next attempt continues in the run's worktree.
   */
  "interrupted",
]);
export type RunOutcome = z.infer<typeof RunOutcome>;

/** Everything the daemon needs to prepare and run one item; the prompt file is built from it. */
export const DispatchArgs = z.object({
  repo: z.string(),
  itemId: z.string(),
  issueNumber: z.number().int().positive(),
  title: z.string(),
  url: z.string(),
  body: z.string().default(""),
  area: z.string(),
  lockScope: z.enum(["area", "files"]),
  lockKeys: z.array(z.string()),
  neededFiles: z.array(z.string()),
  dependsOn: z.array(z.string()),
  acceptance: z.array(z.string()).default([]),
  links: z.array(z.string()).default([]),
  baseBranch: z.string(),
  risk: z.enum(["low", "medium", "high"]),
  agentMode: z.string().nullable(),
  attempt: z.number().int().positive(),
  /** Extra context appended by steering before the run started. */
  context: z.array(z.string()).default([]),
  /**
   * The branch to continue instead of making one: the item's PR is open and this run reworks
   * it (after a failed QA), so its commits go onto the same branch and PR.
   */
  branch: z.string().max(255).nullable().default(null),
  /** The item's open pull request that this run's work goes onto (a rework), if any. */
  pullRequest: z
    .object({ number: z.number().int().positive(), url: z.string().max(2048) })
    .nullable()
    .default(null),
});
export type DispatchArgs = z.infer<typeof DispatchArgs>;

/**
 * What a succeeded run leaves for its pull request, as the daemon found it in the repository:
 * whether the branch is on origin (the daemon pushes it if the agent did not), its head, the
 * agent's own summary and what it says it ran to test, the commits' subjects (their
 * conventional types decide the review tier), and the changed files with their diffstat.
 */
export const RunWork = z.object({
  pushed: z.boolean(),
  head: z.string().max(64).nullable(),
  /** The agent's last message (its report), or empty when it left none. */
  summary: z.string().max(8000).default(""),
  testing: z.array(z.string().max(1000)).max(50).default([]),
  /** Subjects of the commits on the branch, oldest first. */
  subjects: z.array(z.string().max(500)).max(300).default([]),
  /** Changed files against the base (`--numstat`; null counts for binary files), at most 300. */
  files: z
    .array(
      z.object({
        path: z.string().max(1000),
        additions: z.number().int().nonnegative().nullable(),
        deletions: z.number().int().nonnegative().nullable(),
      }),
    )
    .max(300)
    .default([]),
  /** Totals over every changed file (the list above may be cut). */
  filesChanged: z.number().int().nonnegative().default(0),
  additions: z.number().int().nonnegative().default(0),
  deletions: z.number().int().nonnegative().default(0),
});
export type RunWork = z.infer<typeof RunWork>;

/** A run the daemon still holds, reported on every (re)connect so the RepoQueue can reconcile. */
export const LiveRun = z.object({
  runId,
  fence,
  state: z.enum(["preparing", "running", "finishing"]),
});
export type LiveRun = z.infer<typeof LiveRun>;

// ── agent → RepoQueue ───────────────────────────────────────────────────────────────────

export const Hello = z.object({
  type: z.literal("hello"),
  v: z.number().int(),
  agentId: z.string().min(1).max(128),
  capacity: z.number().int().min(0).max(64),
  runs: z.array(LiveRun).max(64),
});

export const Ack = z.object({ type: z.literal("ack"), id });

/** What every agent frame about a run carries; new run frames spread it too. */
export const runFrameFields = { id, runId, fence, runSecret };

export const Heartbeat = z.object({ type: z.literal("heartbeat"), ...runFrameFields });

export const RunStarted = z.object({
  type: z.literal("run_started"),
  ...runFrameFields,
  branch: z.string().max(255),
  worktree: z.string().max(4096),
});

export const RunFinished = z.object({
  type: z.literal("run_finished"),
  ...runFrameFields,
  outcome: RunOutcome,
  reason: z.string().max(4000),
  exitCode: z.number().int().nullable(),
  branch: z.string().max(255).nullable(),
  commits: z.array(z.string().max(64)).max(1000),
  prUrl: z.string().max(2048).nullable(),
  /** What the pull request needs (a succeeded run); absent from daemons that predate it. */
  work: RunWork.optional(),
});

/** What a steering command did to the run: reached the live session, restarted it, or could not act. */
export const SteerEffect = z.enum([
  /** Reached the running agent (a live message, or the prompt of a run not yet started, or a checkpoint). */
  "delivered",
  /** The agent has no live input channel: checkpointed and restarted with the refreshed prompt. */
  "fell_back",
  /** Not applied (e.g. the agent had already ended); `detail` says why. */
  "refused",
]);
export type SteerEffect = z.infer<typeof SteerEffect>;

export const SteerApplied = z.object({
  type: z.literal("steer_applied"),
  ...runFrameFields,
  steerId: id,
  /** Optional for daemons that predate it. */
  effect: SteerEffect.default("delivered"),
  detail: z.string().max(2000).default(""),
});

/**
 * An agent asks to widen its item's lock (the seed's FAQ: files outside the declared area).
 * Answered by a `scope_reply` (or a `reply` refusing the frame itself).
 */
export const ScopeRequest = z.object({
  type: z.literal("scope_request"),
  ...runFrameFields,
  paths: z.array(z.string().min(1).max(1000)).min(1).max(100),
  reason: z.string().max(2000).default(""),
});

export const AgentMessage = z.discriminatedUnion("type", [
  Hello,
  Ack,
  Heartbeat,
  RunStarted,
  RunFinished,
  SteerApplied,
  ScopeRequest,
]);
export type AgentMessage = z.infer<typeof AgentMessage>;

// ── RepoQueue → agent ───────────────────────────────────────────────────────────────────

export const Welcome = z.object({
  type: z.literal("welcome"),
  v: z.number().int(),
  repo: z.string(),
  leaseSeconds: z.number().int().positive(),
  heartbeatSeconds: z.number().int().positive(),
  /** Runs the daemon reported that the RepoQueue no longer recognises: stop them. */
  stopRuns: z.array(runId),
});

export const Dispatch = z.object({
  type: z.literal("dispatch"),
  id,
  runId,
  fence,
  /** The run's capability: keep it with the fence, prove it in every frame of this run. */
  runSecret,
  args: DispatchArgs,
});

export const Steer = z.object({
  type: z.literal("steer"),
  id,
  runId,
  fence,
  command: SteeringCommand,
  reason: z.string(),
  sourceEventId: z.string(),
  text: z.string().default(""),
});

/**
 * The RepoQueue's verdict on a `scope_request`: granted (the lock widened to `lockKeys`, the
 * board updated) or refused with the seed's conflict message. Acked and applied once.
 */
export const ScopeReply = z.object({
  type: z.literal("scope_reply"),
  id,
  requestId: id,
  runId,
  granted: z.boolean(),
  reason: z.string().max(4000).default(""),
  /** The item's lock keys after the verdict. */
  lockKeys: z.array(z.string()).max(1000).default([]),
});

/** Answer to a state-changing agent frame: applied, or refused with why. */
export const Reply = z.object({
  type: z.literal("reply"),
  id,
  ok: z.boolean(),
  /**
   * `unauthorized`: the frame did not prove the run's secret (it is not the run's daemon).
   * `unsupported`: this RepoQueue does not handle the frame's type (only sent for frame types newer than v1).
   */
  error: z.enum(["stale_fence", "unknown_run", "invalid", "unauthorized", "unsupported"]).nullable(),
  message: z.string().default(""),
});

export const ErrorFrame = z.object({
  type: z.literal("error"),
  code: z.enum(["invalid_message", "version_mismatch", "not_hello"]),
  message: z.string(),
});

export const ServerMessage = z.discriminatedUnion("type", [
  Welcome,
  Dispatch,
  Steer,
  ScopeReply,
  Reply,
  ErrorFrame,
  Ack,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses one text frame against a schema; never throws. */
export function parseFrame<T>(schema: z.ZodType<T>, data: string | ArrayBuffer): Result<T> {
  if (typeof data !== "string") return { ok: false, error: "binary frames are not part of the protocol" };
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return { ok: false, error: "frame is not JSON" };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      error: parsed.error.issues.map((i) => `${i.path.join(".") || "(frame)"}: ${i.message}`).join("; "),
    };
  }
  return { ok: true, value: parsed.data };
}

/**
 * A frame id derived from other ids (a steer's source event, run and command), kept within the
 * protocol's 128 characters: a longer one keeps its head and ends with a hash of the whole, so
 * the same inputs still give the same id (frames are applied once by id).
 */
export function frameId(text: string): string {
  if (text.length <= MAX_ID) return text;
  // Two FNV-1a passes with different offsets: 64 bits, deterministic, no runtime crypto needed.
  const fnv = (offset: number): string => {
    let hash = offset;
    for (let index = 0; index < text.length; index += 1) {
      hash ^= text.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
    return (hash >>> 0).toString(16).padStart(8, "0");
  };
  return `${text.slice(0, MAX_ID - 17)}-${fnv(0x811c9dc5)}${fnv(0x01000193)}`;
}
