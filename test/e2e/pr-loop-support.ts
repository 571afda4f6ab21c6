/**
 * Set-up and looks for the pull-request loop's end-to-end tests: a real git origin linked to
 * the emulator (its pushes reported by a hook, as pushes reach GitHub), a real daemon with the
 * demo agent per repo, new board items, and what the emulator and the Worker hold now.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { LOCAL_SECRETS, type LocalMode } from "../../scripts/dev.ts";
import { agentToken, boardField, emulatorPost, makeRepo } from "./support.ts";

export interface EmulatorPr {
  id: string;
  repo: string;
  number: number;
  body: string;
  state: "OPEN" | "CLOSED" | "MERGED";
  headRefName: string;
  baseRefName: string;
  labels: string[];
  reviewRequests: string[];
  autoMerge: { mergeMethod: string } | null;
  mergedBy: string | null;
}

interface Snapshot {
  issues: { id: string; repo: string; number: number; state: string; stateReason: string | null }[];
  pullRequests: EmulatorPr[];
  labels: { id: string; repo: string; name: string }[];
}

export async function snapshot(mode: LocalMode): Promise<Snapshot> {
  return (await (await fetch(`${mode.emulatorUrl}/_emulator/state`)).json()) as Snapshot;
}

/** The PR opened from the run's branch of issue `number` (`subfeature/task/<number>-…`). */
export async function pullRequestOf(
  mode: LocalMode,
  repo: string,
  number: number,
): Promise<EmulatorPr | null> {
  const { pullRequests } = await snapshot(mode);
  return (
    pullRequests.find((pr) => pr.repo === repo && pr.headRefName.startsWith(`subfeature/task/${number}-`)) ??
    null
  );
}

export async function labelNames(mode: LocalMode, pr: EmulatorPr): Promise<string[]> {
  const { labels } = await snapshot(mode);
  return pr.labels.map((id) => labels.find((label) => label.id === id)?.name ?? id);
}

export async function issueState(mode: LocalMode, repo: string, number: number): Promise<string | null> {
  const { issues } = await snapshot(mode);
  const issue = issues.find((candidate) => candidate.repo === repo && candidate.number === number);
  return issue ? `${issue.state}${issue.stateReason ? ` ${issue.stateReason}` : ""}` : null;
}

export async function newItem(
  mode: LocalMode,
  repo: string,
  number: number,
  title: string,
  fields: Record<string, string>,
  body?: string,
): Promise<void> {
  await emulatorPost(mode, "issues", {
    repo,
    number,
    title,
    ...(body === undefined ? {} : { body }),
    fields: { Status: "Ready", Priority: "P2", "Agent Mode": "cli", ...fields },
  });
}

/** CI reports its check on the PR's head (the emulator sends `check_run` and `check_suite`). */
export async function reportCheck(
  mode: LocalMode,
  repo: string,
  pr: number,
  conclusion: string,
): Promise<void> {
  await emulatorPost(mode, "checks", { repo, pullRequest: pr, name: "ci", conclusion });
}

/** A person merges, or closes, the PR on GitHub (the emulator sends `pull_request` and the rest). */
export async function personMerges(mode: LocalMode, repo: string, pr: number): Promise<void> {
  await emulatorPost(mode, "pull-requests/merge", { pullRequest: `${repo}#${pr}`, actor: "phoenix-human" });
}

export async function personCloses(mode: LocalMode, repo: string, pr: number): Promise<void> {
  await emulatorPost(mode, "pull-requests/close", { pullRequest: `${repo}#${pr}`, actor: "phoenix-human" });
}

export async function api(mode: LocalMode, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${mode.workerUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/**
 * A git origin for `repo` under `dir`, linked to the emulator, and a real daemon running the
 * demo agent on its clone. Returns the daemon (to stop) and the origin's path.
 */
export async function startRepoAgent(
  mode: LocalMode,
  repo: string,
  dir: string,
  log: string[],
): Promise<{ daemon: ChildProcess; origin: string }> {
  const { origin, clone } = await makeRepo(dir);
  await emulatorPost(mode, "git/link", { repo, gitDir: origin, hook: true });
  const token = await agentToken(mode, repo);
  const daemon = spawn(
    process.execPath,
    [
      "local-agent/cli.ts",
      ...["--worker-url", mode.workerUrl, "--repo", repo, "--clone", clone],
      ...["--run-folder", join(dir, "runs"), "--agent", "custom"],
      ...["--agent-command", `sh ${resolve("local-agent/examples/demo-agent.sh")} {promptFile}`],
      ...["--concurrency", "3", "--lock-check", "board", "--github-token", LOCAL_SECRETS.GITHUB_TOKEN],
      ...["--github-api-url", mode.emulatorUrl, "--workspace-config", resolve("workspace.config.json")],
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WORKER_FACTORY_AGENT_TOKEN: token } },
  );
  for (const stream of [daemon.stdout, daemon.stderr])
    stream?.on("data", (chunk: Buffer) => log.push(`[${repo}] ${chunk.toString().trimEnd()}`));
  return { daemon, origin };
}

export interface ReviewView {
  number: number;
  landing: string;
  qa: string;
  state: string;
  detail: string;
}

/** The Worker's record of an item's pull request (`reviews` of its repo in `/api/state`). */
export async function reviewOf(mode: LocalMode, repo: string, number: number): Promise<ReviewView> {
  const state = (await (await api(mode, "GET", "/api/state")).json()) as {
    repos: { name: string; reviews: ReviewView[] }[];
  };
  const review = state.repos.find((r) => r.name === repo)?.reviews.find((r) => r.number === number);
  if (!review) throw new Error(`no review of #${number}`);
  return review;
}

/** The meta queue's entries (the operator's log) of one kind about one item. */
export async function metaEntries(
  mode: LocalMode,
  repo: string,
  kind: string,
  number: number,
): Promise<{ detail: string }[]> {
  const state = (await (await api(mode, "GET", "/api/state")).json()) as {
    metaQueue: { kind: string; repo: string | null; number: number | null; detail: string }[];
  };
  return state.metaQueue.filter((e) => e.kind === kind && e.repo === repo && e.number === number);
}

/** Status and the lock fields of an item on the emulator's board. */
export async function lockFields(mode: LocalMode, item: string): Promise<Record<string, string | null>> {
  return {
    status: await boardField(mode, item, "Status"),
    lockKey: await boardField(mode, item, "Lock Key"),
    claimOwner: await boardField(mode, item, "Claim Owner"),
  };
}

/** The run prompts under `dir` (the daemons' run folders) that quote `text`. */
export async function promptsMentioning(dir: string, text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true })) {
    const path = join(dir, entry);
    if (!entry.endsWith("prompt.md")) continue;
    if ((await readFile(path, "utf8")).includes(text)) found.push(path);
  }
  return found;
}

/** What one repo's RepoQueue spent by kind of GitHub operation (`/api/state`'s budget), zero for an unseen kind. */
export async function spentBy(
  mode: LocalMode,
  repo: string,
): Promise<(kind: string) => { calls: number; points: number }> {
  const state = (await (await api(mode, "GET", "/api/state")).json()) as {
    repos: { name: string; budget: { byKind: Record<string, { calls: number; points: number }> } }[];
  };
  const byKind = state.repos.find((r) => r.name === repo)?.budget.byKind ?? {};
  return (kind) => byKind[kind] ?? { calls: 0, points: 0 };
}
