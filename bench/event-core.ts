/**
 * The event core against the yardstick of DESIGN "The GitHub API budget": the real Worker in
 * workerd (wrangler dev) and the emulator with a board of 500, 2,000 and 10,000 items over the
 * five repos, 20 live runs (five protocol-speaking agents), and an hour's traffic driven at
 * speed: 200 board edits by people, 40 releases and 40 claims. Event-driven points are
 * counted as they are charged; timer-driven ones (scans, board lease renewals, the daily full
 * read) are measured once each and multiplied by their hourly count under the default
 * settings. The peer polling every 30 s with a server-side filter is the baseline. At 2,000
 * items, the event → dispatch latency is measured next to the claim's own GitHub round trips.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sign } from "@octokit/webhooks-methods";
import bundled from "../workspace.config.json" with { type: "json" };
import { workspaceBoardSeed, type WorkspaceBoardRepo } from "../emulator/seed/workspace-board.ts";
import { LOCAL_SECRETS, startLocalMode, type LocalMode } from "../scripts/dev.ts";
import { BoardClient } from "../worker/board/board-client.ts";
import { parseWorkspaceConfig } from "../worker/config/workspace-config.ts";
import { scanIntervalMs } from "../worker/supervisor/workspace-scan.ts";
import { FakeAgent } from "./fake-agent.ts";
import { median } from "./measure.ts";
import type { BenchResult, Row } from "./report.ts";

const SIZES = [500, 2_000, 10_000] as const;
const CAPACITY = 4;
const CLAIMS_PER_HOUR = 40;
const PEOPLE_EDITS_PER_HOUR = 200;
const LATENCY_SAMPLES = 60;
const WRITE_KINDS = new Set(["claim", "read back", "release", "renew lease", "set status"]);
const ORG = bundled.project.org;

/** Areas a bench run may take: not docs or ci (files scope) and not high risk (QA). */
const REPOS: WorkspaceBoardRepo[] = bundled.repos.map((repo) => ({
  name: repo.name,
  areas: repo.areas
    .filter((area) => !["docs", "ci"].includes(area.name) && !("risk" in area && area.risk === "high"))
    .slice(0, CAPACITY)
    .map((area) => area.name),
}));

const config = parseWorkspaceConfig({ ...bundled, qa: { requiredFor: ["high"] } });
const BOARD_RENEWALS_PER_RUN_HOUR = 3600 / config.lease.boardRenewSeconds;

type Spend = Record<string, { calls: number; points: number }>;

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok)
    throw new Error(`${init?.method ?? "GET"} ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

const admin = (mode: LocalMode, path: string, body: unknown, method = "POST") =>
  json<unknown>(`${mode.emulatorUrl}/_emulator/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

const api = <T>(mode: LocalMode, path: string, method = "GET", body?: unknown) =>
  json<T>(`${mode.workerUrl}/api/${path}`, {
    method,
    headers: { authorization: `Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** What Worker Factory has spent so far, by kind, summed over its Durable Objects. */
async function spent(mode: LocalMode): Promise<Spend> {
  return (await api<{ budget: { byKind: Spend } }>(mode, "state")).budget.byKind;
}

function diff(after: Spend, before: Spend): Spend {
  const out: Spend = {};
  for (const [kind, value] of Object.entries(after)) {
    const was = before[kind] ?? { calls: 0, points: 0 };
    if (value.calls === was.calls) continue;
    out[kind] = { calls: value.calls - was.calls, points: value.points - was.points };
  }
  return out;
}

/** Waits until the emulator has sent every webhook and the Worker's spending stopped moving. */
async function settle(mode: LocalMode): Promise<Spend> {
  await admin(mode, "deliveries/flush", {});
  let last = JSON.stringify(await spent(mode));
  for (let round = 0; round < 60; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = JSON.stringify(await spent(mode));
    if (now === last) return JSON.parse(now) as Spend;
    last = now;
  }
  throw new Error("the Worker kept spending after the traffic stopped");
}

/** Backlog items per repo and area, in the order the bench makes them Ready. */
function backlog(size: number): Map<string, number[]> {
  const seed = workspaceBoardSeed({ org: ORG, items: size, repos: REPOS, readyPerRepo: CAPACITY });
  const out = new Map<string, number[]>();
  for (const item of seed.projects?.[0]?.items ?? []) {
    if (item.fields?.Status !== "Backlog" || typeof item.content !== "string") continue;
    const [repo = "", number = "0"] = item.content.split("#");
    const key = `${repo}|${String(item.fields.Area)}`;
    out.set(key, [...(out.get(key) ?? []), Number(number)]);
  }
  return out;
}

interface SizeRun {
  rows: Row[];
  hourly: Record<string, number>;
  latency?: { samples: number[]; claimRtt: number[] };
}

async function runSize(size: number, withLatency: boolean): Promise<SizeRun> {
  const dir = await mkdtemp(join(tmpdir(), "wf-bench-"));
  const seedFile = join(dir, "seed.json");
  await writeFile(
    seedFile,
    JSON.stringify(workspaceBoardSeed({ org: ORG, items: size, repos: REPOS, readyPerRepo: CAPACITY })),
  );
  const log = process.env.BENCH_LOG;
  const mode = await startLocalMode({
    port: 0,
    seed: seedFile,
    persistTo: join(dir, "state"),
    // BENCH_LOG=<file> keeps the Worker's and the emulator's log lines, to see what a run did.
    ...(log ? { echo: (line: string) => appendFileSync(log, `${Date.now()} ${line}\n`) } : {}),
    vars: { WORKSPACE_CONFIG: JSON.stringify({ ...bundled, qa: { requiredFor: ["high"] } }) },
  });
  const agents = new Map<string, FakeAgent>();
  try {
    await admin(mode, "rate-limit", { limit: 1_000_000_000 });
    await api(mode, "reconcile", "POST"); // first start: every repo reads its items once
    for (const repo of REPOS) {
      const { token } = await api<{ token: string }>(mode, "agents/token", "POST", { repo: repo.name });
      agents.set(repo.name, await FakeAgent.connect(mode.workerUrl, repo.name, token, CAPACITY));
    }
    await waitFor(
      () => [...agents.values()].every((agent) => agent.live.length === CAPACITY),
      "20 live runs",
    );
    const warm = await settle(mode);

    // An hour's traffic, at speed: each release makes room for a claim of a newly Ready item.
    const pool = backlog(size);
    const people = [...pool.values()].flat();
    let edits = 0;
    for (let index = 0; index < CLAIMS_PER_HOUR; index += 1) {
      const { repo, agent, run, next } = nextWork(agents, pool, index);
      if (next === undefined) throw new Error(`no Backlog item left in ${repo.name}`);
      const since = performance.now();
      await agent.finish(run.runId);
      await admin(mode, "field-value", {
        item: `${repo.name}#${next}`,
        field: "Status",
        value: "Ready",
        actor: "octocat",
      });
      edits += 1;
      // The other edits people make meanwhile: priorities and notes on items not being worked.
      for (let other = 0; other < (PEOPLE_EDITS_PER_HOUR - CLAIMS_PER_HOUR) / CLAIMS_PER_HOUR; other += 1) {
        const target = people[(index * 7 + other * 13) % people.length]!;
        const owner = REPOS[(index + other) % REPOS.length]!.name;
        const field = other % 2 === 0 ? "Priority" : "Needed Files";
        const value =
          field === "Priority"
            ? ["P0", "P1", "P2", "P3"][(index + other) % 4]!
            : `notes/${index}-${other}.md`;
        await admin(mode, "field-value", {
          item: `${owner}#${target}`,
          field,
          value,
          actor: "octocat",
        }).catch(() => undefined);
        edits += 1;
      }
      await withTimeout(agent.dispatchOf(next, since), `the dispatch of ${repo.name}#${next}`);
    }
    const after = await settle(mode);
    const events = diff(after, warm);

    await api(mode, "reconcile", "POST");
    const scan = diff(await settle(mode), after);
    const beforeFull = await spent(mode);
    await api(mode, "reconcile?full=1", "POST");
    const full = diff(await settle(mode), beforeFull);
    const renewal = await renewalCost(mode);

    const hourly: Record<string, number> = {};
    const add = (kind: string, points: number): void => {
      hourly[kind] = (hourly[kind] ?? 0) + points;
    };
    for (const [kind, value] of Object.entries(events)) add(kind, value.points);
    // As often as the supervisor scans this board: every scanMinutes, or less often when large.
    const pages = scan["scan items"]?.points ?? 1;
    const scansPerHour = 3_600_000 / scanIntervalMs(config, pages);
    for (const [kind, value] of Object.entries(scan)) add(kind, value.points * scansPerHour);
    for (const [kind, value] of Object.entries(full))
      add(kind, value.points / config.reconcile.fullReadHours);
    add("renew lease", renewal * CAPACITY * REPOS.length * BOARD_RENEWALS_PER_RUN_HOUR);

    const notDone = Math.ceil(size / 2);
    const peer = 120 * REPOS.length * Math.ceil(notDone / REPOS.length / 100);
    const reads = Object.entries(hourly)
      .filter(([kind]) => !WRITE_KINDS.has(kind))
      .reduce((sum, [, v]) => sum + v, 0);
    const total = Object.values(hourly).reduce((sum, value) => sum + value, 0);
    const rows: Row[] = [
      ...Object.entries(hourly)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kind, points]) => ({
          case: `${size} items: ${kind}`,
          value: round1(points),
          unit: "points/h",
          baselineName: "peer polling 30 s",
          baseline: peer,
          ratio: points / peer,
        })),
      {
        case: `${size} items: reads (all but our writes and read-backs)`,
        value: round1(reads),
        unit: "points/h",
        baselineName: "peer polling 30 s",
        baseline: peer,
        ratio: reads / peer,
        note: "target <= 60",
      },
      {
        case: `${size} items: total`,
        value: round1(total),
        unit: "points/h",
        baselineName: "peer polling 30 s",
        baseline: peer,
        ratio: total / peer,
        note: `target <= 250; ${edits} edits, ${CLAIMS_PER_HOUR} claims and releases driven`,
      },
    ];
    const latency = withLatency ? await measureLatency(mode, agents, pool) : undefined;
    if (withLatency) rows.push(await idleAlarms(mode, size));
    return { rows, hourly, ...(latency ? { latency } : {}) };
  } finally {
    for (const agent of agents.values()) agent.close();
    await mode.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The `index`-th release: a live run of the next repo in turn, and the Backlog item of its area to make Ready. */
function nextWork(agents: Map<string, FakeAgent>, pool: Map<string, number[]>, index: number) {
  const repo = REPOS[index % REPOS.length]!;
  const agent = agents.get(repo.name)!;
  const run = agent.live[0]!;
  const area = repo.areas[(run.number - 1) % repo.areas.length];
  return { repo, agent, run, next: pool.get(`${repo.name}|${area}`)?.shift() };
}

/**
 * An idle RepoQueue wakes for nothing: with the traffic stopped (live runs holding leases
 * minutes away), the alarms fired in a minute, summed over the five queues. Baseline: a
 * queue that re-armed its alarm for every second would fire 60 times.
 */
async function idleAlarms(mode: LocalMode, size: number): Promise<Row> {
  await settle(mode);
  const alarms = async () =>
    (await api<{ repos: { alarms: number }[] }>(mode, "state")).repos.reduce(
      (sum, repo) => sum + repo.alarms,
      0,
    );
  const before = await alarms();
  await new Promise((resolve) => setTimeout(resolve, 60_000));
  const fired = (await alarms()) - before;
  return {
    case: `${size} items: alarms fired in an idle minute (five RepoQueues)`,
    value: fired,
    unit: "alarms",
    baselineName: "an alarm a second",
    baseline: 60,
    ratio: fired / 60,
    note: "target 0",
  };
}

/** One board lease renewal, as the RepoQueue writes it, charged by the emulator. */
async function renewalCost(mode: LocalMode): Promise<number> {
  const board = new BoardClient({
    config,
    auth: { token: LOCAL_SECRETS.GITHUB_TOKEN },
    apiUrl: mode.emulatorUrl,
  });
  const [item] = await board.listItems({ query: `repo:${REPOS[0]!.name} status:Done` });
  if (!item) throw new Error("no item to renew a lease on");
  await board.projectSchema();
  const before = board.budget().totalCost;
  const now = new Date().toISOString();
  await board.renewLease(item, { leaseExpires: now, lastHeartbeat: now });
  return board.budget().totalCost - before;
}

/**
 * Webhook → dispatch frame: the bench posts a signed `projects_v2_item.edited` itself (the
 * emulator's own webhooks are off meanwhile) and times it to the dispatch at the agent. The
 * baseline is the claim's write and read-back against the same emulator, in the same run.
 */
async function measureLatency(
  mode: LocalMode,
  agents: Map<string, FakeAgent>,
  pool: Map<string, number[]>,
): Promise<{ samples: number[]; claimRtt: number[] }> {
  await admin(mode, "webhook", { url: null, secret: "", hookId: 1 }, "PUT");
  const state = await json<{
    projects: { id: string }[];
    issues: { id: string; repo: string; number: number }[];
    items: { id: string; content: { id: string } | null }[];
  }>(`${mode.emulatorUrl}/_emulator/state`);
  const projectId = state.projects[0]!.id;
  const itemOf = (repo: string, number: number) => {
    const issue = state.issues.find((i) => i.repo === repo && i.number === number);
    const item = state.items.find((i) => i.content?.id === issue?.id);
    if (!issue || !item) throw new Error(`no item ${repo}#${number}`);
    return { itemId: item.id, contentId: issue.id };
  };
  const samples: number[] = [];
  for (let index = 0; index < LATENCY_SAMPLES; index += 1) {
    const { repo, agent, run, next } = nextWork(agents, pool, index);
    if (next === undefined) break;
    await agent.finish(run.runId);
    await admin(mode, "field-value", {
      item: `${repo.name}#${next}`,
      field: "Status",
      value: "Ready",
      actor: "octocat",
    });
    const { itemId, contentId } = itemOf(repo.name, next);
    const body = JSON.stringify({
      action: "edited",
      projects_v2_item: {
        id: 1,
        node_id: itemId,
        project_node_id: projectId,
        content_node_id: contentId,
        content_type: "Issue",
        updated_at: new Date().toISOString(),
      },
      changes: {
        field_value: {
          field_name: "Status",
          field_type: "single_select",
          from: { name: "Backlog" },
          to: { name: "Ready" },
        },
      },
      organization: { login: ORG },
      sender: { login: "octocat" },
    });
    const signature = await sign(LOCAL_SECRETS.GITHUB_WEBHOOK_SECRET, body);
    const start = performance.now();
    const response = await fetch(`${mode.workerUrl}/webhooks/github`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "projects_v2_item",
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": signature,
      },
      body,
    });
    if (response.status !== 202) throw new Error(`the webhook answered ${response.status}`);
    const dispatched = await withTimeout(
      agent.dispatchOf(next, start),
      `the dispatch of ${repo.name}#${next}`,
    );
    samples.push(dispatched.at - start);
  }
  const board = new BoardClient({
    config,
    auth: { token: LOCAL_SECRETS.GITHUB_TOKEN },
    apiUrl: mode.emulatorUrl,
  });
  await board.projectSchema();
  const [item] = await board.listItems({ query: `repo:${REPOS[0]!.name} status:Done` });
  const claimRtt: number[] = [];
  for (let index = 0; index < 20 && item; index += 1) {
    const start = performance.now();
    const at = new Date().toISOString();
    await board.writeClaim(item, {
      lockKey: "bench",
      claimOwner: "bench",
      leaseExpires: at,
      lastHeartbeat: at,
    });
    claimRtt.push(performance.now() - start);
    await board.releaseClaim(item, {});
  }
  return { samples, claimRtt };
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let round = 0; round < 600; round += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/** A cap on one wait of the bench, so a lost dispatch fails the bench instead of hanging it. */
function withTimeout<T>(promise: Promise<T>, what: string, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export async function eventCore(): Promise<BenchResult> {
  const start = performance.now();
  const rows: Row[] = [];
  const details: Record<string, unknown> = {
    settings: {
      scanMinutes: config.reconcile.scanMinutes,
      fullReadHours: config.reconcile.fullReadHours,
      boardRenewSeconds: config.lease.boardRenewSeconds,
      liveRuns: CAPACITY * REPOS.length,
    },
  };
  for (const size of SIZES) {
    process.stderr.write(`bench: event-core at ${size} items…\n`);
    const run = await runSize(size, size === 2_000);
    rows.push(...run.rows);
    details[`hourly_${size}`] = run.hourly;
    if (run.latency) {
      const { samples, claimRtt } = run.latency;
      const claim = median(claimRtt);
      for (const [name, value] of [
        ["p50", median(samples)],
        ["p99", percentile(samples, 99)],
      ] as const) {
        rows.push({
          case: `2000 items: webhook → dispatch ${name} (${samples.length} samples)`,
          value: round1(value),
          unit: "ms",
          baselineName: "claim write + read-back p50",
          baseline: round1(claim),
          ratio: value / claim,
          note: `overhead beyond the claim's round trips: ${round1(value - claim)} ms; target p99 < 100 ms`,
        });
      }
      details.latencyMs = { samples: samples.map(round1), claimRtt: claimRtt.map(round1) };
    }
  }
  return {
    bench: "event-core",
    title: "GitHub points an hour and event → dispatch latency",
    rows,
    details,
    ms: performance.now() - start,
  };
}
