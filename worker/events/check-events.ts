/**
 * CI's webhooks as one typed event: `check_run`, `check_suite` and `status` become a check
 * report on a commit (with the PR numbers GitHub names, when it does), which the RepoQueue
 * folds into its pull requests' check rollups. Only the fields used are read (zod). Pure;
 * normalize-event.ts dispatches to it.
 */
import { z } from "zod";
import { checkState, type CheckState } from "../pr/check-rollup.ts";

export type CheckEvent = {
  kind: "check";
  action: string;
  repo: string;
  source: "check_run" | "check_suite" | "status";
  name: string;
  sha: string;
  state: CheckState;
  /** PR numbers the payload names (check runs and suites of PRs in the same repo). */
  pullRequests: number[];
  sender: string | null;
};

export const CHECK_EVENTS = ["check_run", "check_suite", "status"] as const;
export type CheckEventName = (typeof CHECK_EVENTS)[number];

const Repository = z.object({ full_name: z.string() });
const Sender = z.object({ login: z.string() }).nullish();
const PullNumbers = z
  .array(z.object({ number: z.number().int() }))
  .nullish()
  .transform((list) => (list ?? []).map((pr) => pr.number));

const CheckRunPayload = z.object({
  action: z.string(),
  check_run: z.object({
    name: z.string(),
    head_sha: z.string(),
    status: z.string().nullish(),
    conclusion: z.string().nullish(),
    pull_requests: PullNumbers,
  }),
  repository: Repository,
  sender: Sender,
});

const CheckSuitePayload = z.object({
  action: z.string(),
  check_suite: z.object({
    head_sha: z.string(),
    status: z.string().nullish(),
    conclusion: z.string().nullish(),
    pull_requests: PullNumbers,
    app: z.object({ slug: z.string().nullish(), name: z.string().nullish() }).nullish(),
  }),
  repository: Repository,
  sender: Sender,
});

const StatusPayload = z.object({
  sha: z.string(),
  context: z.string(),
  state: z.string(),
  repository: Repository,
  sender: Sender,
});

export type CheckNormalized = { ok: true; event: CheckEvent } | { ok: false; error: z.ZodError };

export function normalizeCheckEvent(event: CheckEventName, payload: unknown): CheckNormalized {
  switch (event) {
    case "check_run": {
      const p = CheckRunPayload.safeParse(payload);
      if (!p.success) return { ok: false, error: p.error };
      const run = p.data.check_run;
      return ok({
        action: p.data.action,
        repo: p.data.repository.full_name,
        source: "check_run",
        name: run.name,
        sha: run.head_sha,
        state: checkState(run.status ?? null, run.conclusion ?? null),
        pullRequests: run.pull_requests,
        sender: p.data.sender?.login ?? null,
      });
    }
    case "check_suite": {
      const p = CheckSuitePayload.safeParse(payload);
      if (!p.success) return { ok: false, error: p.error };
      const suite = p.data.check_suite;
      return ok({
        action: p.data.action,
        repo: p.data.repository.full_name,
        source: "check_suite",
        name: suite.app?.slug ?? suite.app?.name ?? "checks",
        sha: suite.head_sha,
        state: checkState(suite.status ?? null, suite.conclusion ?? null),
        pullRequests: suite.pull_requests,
        sender: p.data.sender?.login ?? null,
      });
    }
    case "status": {
      const p = StatusPayload.safeParse(payload);
      if (!p.success) return { ok: false, error: p.error };
      return ok({
        action: p.data.state,
        repo: p.data.repository.full_name,
        source: "status",
        name: p.data.context,
        sha: p.data.sha,
        state: checkState(p.data.state, null),
        pullRequests: [],
        sender: p.data.sender?.login ?? null,
      });
    }
  }
}

function ok(event: Omit<CheckEvent, "kind">): CheckNormalized {
  return { ok: true, event: { kind: "check", ...event } };
}
