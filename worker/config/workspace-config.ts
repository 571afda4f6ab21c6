/**
 * The workspace configuration: the project, its repos and their areas, board field names,
 * lease and reconciliation settings. Pure (no Workers or Node APIs): the Worker validates it
 * at start-up, the daemon and the emulator read the same shape.
 */
import { z } from "zod";
import { PullRequestSettings, QaSettings, RiskLevel } from "./pull-request-settings.ts";

export { RiskLevel };

const repoName = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "expected owner/name");

export const LockScope = z.enum(["area", "files"]);
export type LockScope = z.infer<typeof LockScope>;

/** Who runs an item (`Agent Mode`): a local daemon, GitHub's Copilot coding agent, or a person. */
export const AgentModeName = z.enum(["cli", "cloud", "local-ide"]);
export type AgentModeName = z.infer<typeof AgentModeName>;

/** Areas whose default lock scope is `files` (seed: "docs and ci areas are low-risk"). */
const FILE_SCOPED_AREAS = new Set(["docs", "ci"]);
/** Areas that are low risk unless configured (seed's tiered review: docs, tests, content, ci). */
const LOW_RISK_AREAS = new Set(["docs", "ci", "tests", "content"]);

const AreaInput = z
  .object({
    name: z.string().min(1),
    /** Directory prefixes (`src/app/`) or globs (`docs/**\/*.md`), relative to the repo root. */
    paths: z.array(z.string().min(1)).min(1),
    risk: RiskLevel.optional(),
    lockScope: LockScope.optional(),
  })
  .strict();

export const Area = AreaInput.transform((area) => ({
  name: area.name,
  paths: area.paths,
  risk: area.risk ?? (LOW_RISK_AREAS.has(area.name) ? "low" : "medium"),
  lockScope: area.lockScope ?? (FILE_SCOPED_AREAS.has(area.name) ? "files" : "area"),
}));
export type Area = z.infer<typeof Area>;

export const RepoConfig = z
  .object({
    name: repoName,
    baseBranch: z.string().min(1).default("main"),
    /** Ask Copilot (`copilot-pull-request-reviewer[bot]`) to review the PRs Worker Factory opens. */
    copilotReview: z.boolean().default(false),
    areas: z.array(Area).min(1),
  })
  .strict()
  .superRefine((repo, ctx) => {
    const seen = new Set<string>();
    repo.areas.forEach((area, index) => {
      if (seen.has(area.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["areas", index, "name"],
          message: `duplicate area "${area.name}"`,
        });
      }
      seen.add(area.name);
    });
  });
export type RepoConfig = z.infer<typeof RepoConfig>;

export const FieldNames = z
  .object({
    status: z.string().min(1).default("Status"),
    dependsOn: z.string().min(1).default("Depends On"),
    area: z.string().min(1).default("Area"),
    neededFiles: z.string().min(1).default("Needed Files"),
    lockScope: z.string().min(1).default("Lock Scope"),
    lockKey: z.string().min(1).default("Lock Key"),
    claimOwner: z.string().min(1).default("Claim Owner"),
    leaseExpires: z.string().min(1).default("Lease Expires"),
    lastHeartbeat: z.string().min(1).default("Last Heartbeat"),
    priority: z.string().min(1).default("Priority"),
    agentMode: z.string().min(1).default("Agent Mode"),
    /** The branch an item's PR goes into, when not the repo's base (a `feature/*` branch). */
    baseBranch: z.string().min(1).default("Base Branch"),
  })
  .strict();
export type FieldNames = z.infer<typeof FieldNames>;

export const StatusValues = z
  .object({
    /** The value that makes an item a candidate for dispatch. */
    ready: z.string().min(1).default("Ready"),
    /** Written on claim. */
    inProgress: z.string().min(1).default("In Progress"),
    /** Items with one of these statuses hold their lock keys (locks follow the code into review). */
    active: z.array(z.string().min(1)).min(1).default(["In Progress", "QA Required", "In Review"]),
    /** A dependency whose item has one of these statuses is complete. */
    done: z.array(z.string().min(1)).min(1).default(["Done"]),
    /** Written when a run's PR is open and needs no QA (or passed it): it waits to be merged. */
    review: z.string().min(1).default("In Review"),
    /** Written instead of `review` when the change needs a person's QA; holds the lock meanwhile. */
    qaRequired: z.string().min(1).default("QA Required"),
    /** Where an item without an Area, or a run that failed too often, goes back to. */
    triage: z.string().min(1).default("Triage"),
  })
  .strict();
export type StatusValues = z.infer<typeof StatusValues>;

export const NOTIFICATION_KINDS = ["qa_waiting", "parked", "stale_claim", "low_budget"] as const;

/** An outgoing webhook (Slack-compatible JSON) for when a person is needed; off without a URL. */
export const NotificationSettings = z
  .object({
    webhookUrl: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).optional(),
    /** Which causes are sent. */
    on: z.array(z.enum(NOTIFICATION_KINDS)).default([...NOTIFICATION_KINDS]),
    /** GraphQL points left below which `low_budget` is sent (once per hourly window). */
    lowBudgetPoints: z.number().int().min(0).default(500),
  })
  .strict();
export type NotificationSettings = z.infer<typeof NotificationSettings>;

export const WorkspaceConfig = z
  .object({
    $schema: z.string().optional(),
    workspace: z.string().min(1),
    project: z.object({ org: z.string().min(1), number: z.number().int().positive() }).strict(),
    repos: z.array(RepoConfig).min(1),
    fields: FieldNames.default(FieldNames.parse({})),
    statuses: StatusValues.default(StatusValues.parse({})),
    /** Priority option names, highest first; items without one sort last. */
    priorities: z.array(z.string().min(1)).default(["P0", "P1", "P2", "P3"]),
    lease: z
      .object({
        durationSeconds: z.number().int().min(30).default(900),
        heartbeatSeconds: z.number().int().min(1).default(60),
        /**
         * How often a live run's `Lease Expires`/`Last Heartbeat` are written on the board, for
         * people to see the claim is alive; heartbeats themselves stay in the RepoQueue.
         */
        boardRenewSeconds: z.number().int().min(30).default(1800),
      })
      .strict()
      .default({ durationSeconds: 900, heartbeatSeconds: 60, boardRenewSeconds: 1800 }),
    dispatch: z
      .object({
        maxAttempts: z.number().int().min(1).default(3),
        retryBaseSeconds: z.number().int().min(1).default(60),
      })
      .strict()
      .default({ maxAttempts: 3, retryBaseSeconds: 60 }),
    qa: QaSettings.default(QaSettings.parse({})),
    pullRequests: PullRequestSettings.default(PullRequestSettings.parse({})),
    reconcile: z
      .object({
        /** Organization webhook id, to list and redeliver failed deliveries. */
        hookId: z.number().int().positive().optional(),
        /** The light scan (ids, `updatedAt`, state of items not done) runs at most this often. */
        scanMinutes: z.number().int().min(1).default(15),
        /** ...and less often on a large board, so that scans spend at most this many points an hour. */
        scanPointsPerHour: z.number().int().min(1).default(40),
        /** Every item, Done ones included, is read in full at most this often (and at first start). */
        fullReadHours: z.number().int().min(1).default(24),
      })
      .strict()
      .default({ scanMinutes: 15, scanPointsPerHour: 40, fullReadHours: 24 }),
    notifications: NotificationSettings.default(NotificationSettings.parse({})),
    /** The executor of an item whose `Agent Mode` is empty (see worker/board/agent-mode.ts). */
    agentMode: z
      .object({ default: AgentModeName.default("cli") })
      .strict()
      .default({ default: "cli" }),
    cloud: z
      .object({
        /**
         * A Copilot session with no sign of progress (its PR opened, pushed to, readied) this
         * long is taken as abandoned: reported, its lock released, Copilot unassigned.
         */
        progressTimeoutSeconds: z.number().int().min(10).default(3600),
      })
      .strict()
      .default({ progressTimeoutSeconds: 3600 }),
    claims: z
      .object({
        /** The lease a person's claim from the terminal (`wf claim`, `wf renew`) writes. */
        leaseSeconds: z
          .number()
          .int()
          .min(60)
          .default(8 * 60 * 60),
      })
      .strict()
      .default({ leaseSeconds: 8 * 60 * 60 }),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.repos.forEach((repo, index) => {
      const key = repo.name.toLowerCase();
      if (seen.has(key)) {
        ctx.addIssue({
          code: "custom",
          path: ["repos", index, "name"],
          message: `duplicate repo "${repo.name}"`,
        });
      }
      seen.add(key);
    });
  });
export type WorkspaceConfig = z.infer<typeof WorkspaceConfig>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid workspace config: ${problems.join("; ")}`);
    this.problems = problems;
  }
}

/** Validates raw JSON; the error names every bad key as a dotted path and what was expected. */
export function parseWorkspaceConfig(raw: unknown): WorkspaceConfig {
  const result = WorkspaceConfig.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join(".") : "(root)";
      return `${path}: ${issue.message}`;
    }),
  );
}

/** Parses the JSON text of a config file or variable. */
export function parseWorkspaceConfigText(text: string): WorkspaceConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([
      `(root): not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    ]);
  }
  return parseWorkspaceConfig(raw);
}

export function findRepo(config: WorkspaceConfig, repo: string): RepoConfig | undefined {
  const wanted = repo.toLowerCase();
  return config.repos.find((candidate) => candidate.name.toLowerCase() === wanted);
}
