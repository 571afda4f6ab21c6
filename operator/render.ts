/**
 * How `wf` prints for people: the one-screen status across repos (what runs, who holds what,
 * what waits and why, the next QA, the budget) and an item's explanation. Plain text, one
 * fact a line; `--json` bypasses this entirely. Used by commands.ts.
 */
import type { Explanation, RepoAnswer, StateAnswer } from "./responses.ts";

/** "in 14m", "3m ago": people read leases and heartbeats relative to now. */
export function relative(ms: number, now: number): string {
  const delta = Math.round((ms - now) / 1000);
  const size = Math.abs(delta);
  const text =
    size < 90 ? `${size}s` : size < 90 * 60 ? `${Math.round(size / 60)}m` : `${Math.round(size / 3600)}h`;
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

const WAITING_ORDER = ["conflict", "waiting", "runnable", "triage", "requeued", "pending", "claiming"];

export function renderStatus(state: StateAnswer, now: number, options: { repo?: string } = {}): string {
  const lines: string[] = [];
  const budgets = state.repos.flatMap((repo) => (repo.budget?.remaining == null ? [] : [repo.budget]));
  const lowest =
    state.budget?.remaining != null
      ? state.budget
      : budgets.sort((a, b) => (a.remaining ?? 0) - (b.remaining ?? 0))[0];
  const budget =
    lowest === undefined
      ? "GitHub budget not measured yet"
      : `GitHub budget ${lowest.remaining} of ${lowest.limit ?? "?"} points left${
          lowest.resetAt ? ` (resets ${relative(Date.parse(lowest.resetAt), now)})` : ""
        }`;
  lines.push(
    `Workspace ${state.workspace} · project ${state.project.org}#${state.project.number} · ${budget}`,
  );
  const [next, ...later] = state.qaSequence;
  lines.push(
    next === undefined
      ? "QA: nothing waiting"
      : `QA next: ${next.repo}#${next.number} ${next.title}${later.length ? ` (+${later.length} after it)` : ""} — wf qa pass | wf qa fail --note "..."`,
  );
  const repos = state.repos.filter((repo) => options.repo === undefined || sameName(repo.name, options.repo));
  for (const repo of repos) lines.push("", ...renderRepo(repo, now));
  return lines.join("\n");
}

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function renderRepo(repo: RepoAnswer, now: number): string[] {
  const agents =
    repo.agents.length === 0
      ? "no agent connected"
      : repo.agents.map((agent) => `${agent.agentId} ${agent.liveRuns}/${agent.capacity}`).join(", ");
  const flags = [repo.paused ? "PAUSED (wf resume)" : null, `agents: ${agents}`];
  if (repo.lastRefresh?.error) flags.push(`board read failed: ${repo.lastRefresh.error}`);
  const lines = [`${repo.name} · ${flags.filter((flag) => flag !== null).join(" · ")}`];
  const live = repo.runs.filter((run) => run.state !== "finished");
  for (const run of live) {
    lines.push(
      `  running  #${run.number}  ${run.runId} on ${run.agentId} (fence ${run.fence}, ${run.state}) · holds ${run.lockKeys} · lease ends ${relative(run.leaseExpires, now)} · heartbeat ${relative(run.lastHeartbeat, now)}`,
    );
  }
  for (const lock of repo.locks ?? []) {
    const how =
      lock.holder === "run"
        ? `run ${lock.runId ?? "?"}`
        : lock.holder === "person"
          ? `claim by ${lock.claimOwner ?? "?"}`
          : `Status ${lock.status ?? "?"}`;
    lines.push(`  holds    ${lock.key}  #${lock.number ?? "?"} ${lock.title} (${how})`);
  }
  const reviews = (repo.reviews ?? []).filter((r) => ["opening", "open", "rework"].includes(r.state));
  for (const review of reviews) {
    const pr = review.prNumber === null ? "PR not open yet" : `PR #${review.prNumber}`;
    lines.push(
      `  review   #${review.number}  ${pr} · ${review.tier} risk · QA ${review.qa} · ${review.landing.replace("_", " ")} — ${review.detail}`,
    );
  }
  for (const claim of repo.staleClaims) {
    lines.push(
      `  stale    #${claim.number ?? "?"}  claim by ${claim.claimOwner}, lease passed ${claim.leaseExpires ?? "(none)"}${claim.lockKey ? ` · holds ${claim.lockKey}` : ""} — wf release ${repo.name}#${claim.number ?? "?"}`,
    );
  }
  const parked = repo.items.filter((item) => item.state === "parked");
  for (const item of parked) {
    lines.push(
      `  parked   #${item.number}  ${item.title} — ${item.reason} — wf retry ${repo.name}#${item.number}`,
    );
  }
  const waiting = repo.items
    .filter(
      (item) => item.state === "queued" && item.verdict !== "not_ready" && item.verdict !== "qa_required",
    )
    .sort((a, b) => rank(a.verdict) - rank(b.verdict));
  for (const item of waiting) {
    const retry = item.notBefore > now ? ` (retry ${relative(item.notBefore, now)})` : "";
    lines.push(`  ${pad(item.verdict)} #${item.number}  ${item.title} — ${item.reason}${retry}`);
  }
  if (live.length + reviews.length + parked.length + waiting.length + repo.staleClaims.length === 0) {
    lines.push("  nothing running or waiting");
  }
  return lines;
}

const rank = (verdict: string): number => {
  const index = WAITING_ORDER.indexOf(verdict);
  return index === -1 ? WAITING_ORDER.length : index;
};
const pad = (word: string): string => word.padEnd(8);

export function renderExplanation(explanation: Explanation, now: number): string {
  const { board, queue, run } = explanation;
  const lines = [`${explanation.item} ${explanation.title}${explanation.url ? `  ${explanation.url}` : ""}`];
  lines.push(`  ${explanation.summary}`, "");
  if (board !== null) {
    lines.push(
      `  Status       ${board.status ?? "(empty)"}`,
      `  Area         ${board.area ?? "(missing)"}${board.lockScope ? ` · Lock Scope ${board.lockScope}` : ""}`,
    );
    if (board.neededFiles) lines.push(`  Needed Files ${board.neededFiles}`);
    if (board.dependsOn) lines.push(`  Depends On   ${board.dependsOn}`);
    if (board.claimOwner) lines.push(`  Claim        ${board.claimOwner} until ${board.leaseExpires ?? "?"}`);
  }
  const requested = explanation.requested;
  lines.push(
    "keys" in requested
      ? `  Asks for     ${requested.keys} (${requested.scope} lock in ${requested.area})`
      : `  Asks for     nothing: ${requested.problem}`,
  );
  lines.push(`  Gate         ${explanation.gate.kind}: ${explanation.gate.reason}`);
  if (explanation.holders.length === 0) lines.push("  Holders      none overlap");
  for (const holder of explanation.holders) {
    const who =
      holder.kind === "run"
        ? `a dispatcher run (${holder.claimOwner ?? ""})`
        : holder.kind === "person"
          ? `a person's claim by ${holder.claimOwner ?? "?"} until ${holder.leaseExpires ?? "?"}`
          : `its Status ${holder.status ?? "?"}`;
    lines.push(`  Held by      ${holder.item} ${holder.title} — ${holder.overlapping}, through ${who}`);
  }
  for (const dependency of explanation.dependencies) {
    lines.push(
      `  Depends on   ${dependency.item} (${dependency.source.replace("_", " ")}): ${dependency.state}`,
    );
  }
  if (queue !== null) {
    const retry = queue.retryNotBefore ? ` · retry ${relative(Date.parse(queue.retryNotBefore), now)}` : "";
    lines.push(
      `  Queue        ${queue.state} · attempts ${queue.attempts} of ${queue.maxAttempts}${retry} · ${queue.reason}`,
    );
  } else {
    lines.push("  Queue        not in the repo's queue");
  }
  if (run !== null) {
    lines.push(
      `  Run          ${run.runId} on ${run.agentId} (fence ${run.fence}, ${run.state}) · lease ends ${relative(Date.parse(run.leaseExpires), now)} · heartbeat ${relative(Date.parse(run.lastHeartbeat), now)}`,
    );
  }
  lines.push(
    `  Repo         ${explanation.paused ? "paused" : "dispatching"} · ${explanation.agents} agent(s) connected`,
  );
  return lines.join("\n");
}
