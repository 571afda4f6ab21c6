/**
 * One simulated workspace for one seed: the real emulator (its clock the virtual one, its
 * webhooks through the faulty WebhookNet), the supervisor and one RepoQueue per repo over
 * node:sqlite, a daemon per repo (two for the first), and the people. `step` moves the world
 * to its next event (a timer or a due alarm) and runs everything that follows from it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syntheticOid } from "../../emulator/git/branch-registry.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import type { WorkspaceConfig } from "../../worker/config/workspace-config.ts";
import { EventLog } from "./event-log.ts";
import { Prng } from "./prng.ts";
import { Scheduler, type Owner } from "./scheduler.ts";
import { SimAgent } from "./sim-agent.ts";
import { simConfig, simSeed, SIM_HOOK_ID } from "./sim-config.ts";
import type { SimContext, Streams } from "./sim-context.ts";
import { SimPeople } from "./sim-people.ts";
import { SimRepoQueue } from "./sim-repo-queue.ts";
import { SimSupervisor } from "./sim-supervisor.ts";
import { WebhookNet } from "./webhook-net.ts";

/** The virtual epoch: a fixed instant, so timestamps on the board repeat per seed. */
export const SIM_START = Date.parse("2031-03-03T09:00:00Z");

function streams(seed: number): Streams {
  const s = (name: string) => Prng.stream(seed, name);
  return {
    gate: s("gate"),
    net: s("net"),
    hooks: s("hooks"),
    faults: s("faults"),
    people: s("people"),
    agents: s("agents"),
    ids: s("ids"),
  };
}

export class SimWorld {
  readonly seed: number;
  readonly config: WorkspaceConfig;
  readonly ctx: SimContext;
  readonly queues = new Map<string, SimRepoQueue>();
  readonly agents: SimAgent[] = [];
  readonly #folder: string;
  emulator!: RunningEmulator;
  net!: WebhookNet;
  supervisor!: SimSupervisor;
  people!: SimPeople;
  calm = false;
  /** Background work that failed in a live object (logged; counted in the report). */
  backgroundErrors = 0;

  constructor(seed: number) {
    this.seed = seed;
    this.config = simConfig();
    const rng = streams(seed);
    const scheduler = new Scheduler(SIM_START, rng.gate);
    const log = new EventLog(() => scheduler.now);
    this.#folder = mkdtempSync(join(tmpdir(), "wf-sim-"));
    this.ctx = {
      scheduler,
      log,
      config: this.config,
      emulatorUrl: "",
      rng,
      track: (work, owner, label) => this.#track(work, owner, label),
      calm: () => this.calm,
      push: (repo, branch, work) => this.#push(repo, branch, work),
    };
  }

  #track(work: Promise<unknown>, owner: Owner | null, label: string): void {
    work.catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (owner !== null && !owner.alive) return;
      this.backgroundErrors += 1;
      this.ctx.log.add("background_error", { label, message });
    });
  }

  #push(repo: string, branch: string, work: { subjects: string[]; paths: string[] }): string {
    const { store } = this.emulator;
    const target = store.repo(repo);
    if (target === undefined) throw new Error(`no repo ${repo} on the emulator`);
    const at = new Date(this.ctx.scheduler.now).toISOString();
    let parent: string | null = null;
    const commits = work.subjects.map((message, index) => {
      const oid = syntheticOid(`${repo}:${branch}:${index}:${message}:${at}`);
      const commit = {
        oid,
        message,
        authorName: "sim-agent",
        authorEmail: "sim-agent@users.noreply.github.com",
        authoredDate: at,
        committedDate: at,
        parents: parent === null ? [] : [parent],
      };
      parent = oid;
      return commit;
    });
    const files = work.paths.map((path) => ({
      path,
      additions: 3,
      deletions: 1,
      changeType: "MODIFIED" as const,
    }));
    return store.loop.refs.putRegistryBranch(target, branch, { commits, files }, "sim-agent");
  }

  /**
   * The repos' CI: every open pull request's head gets a passing check (its `check_run` and
   * `check_suite` webhooks go through the faulty network like any other), so low-risk PRs
   * merge by auto-merge, or by the Worker once their checks pass.
   */
  ci(from: number, everyMs = 60_000): void {
    const { scheduler } = this.ctx;
    const tick = (): void => {
      const { store } = this.emulator;
      for (const pr of store.state.pullRequests) {
        if (pr.state !== "OPEN") continue;
        const head = store.loop.git.backend(store.repo(pr.repo)!).branch(pr.headRefName)?.oid ?? null;
        if (head === null) continue;
        if (store.state.checkRuns.some((run) => run.repo === pr.repo && run.headSha === head)) continue;
        this.ctx.log.add("ci_passed", { repo: pr.repo, pullRequest: pr.number });
        this.ctx.track(
          fetch(`${this.emulator.url}/_emulator/checks`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ repo: pr.repo, sha: head, name: "ci", conclusion: "success" }),
          }).then((response) => response.text()),
          null,
          `ci ${pr.repo}#${pr.number}`,
        );
      }
      scheduler.after(everyMs, "ci", tick);
    };
    scheduler.at(from, "ci", tick);
  }

  async start(): Promise<void> {
    const { ctx } = this;
    this.net = new WebhookNet(ctx, (delivery) => {
      ctx.track(
        this.supervisor.call((core) => core.ingest(delivery)),
        null,
        `ingest ${delivery.deliveryId}`,
      );
    });
    const hookUrl = await this.net.listen();
    this.emulator = await startEmulator({
      seed: simSeed(this.config, Prng.stream(this.seed, "board")),
      webhook: { url: hookUrl, secret: "", hookId: SIM_HOOK_ID },
      now: () => ctx.scheduler.now,
    });
    ctx.emulatorUrl = this.emulator.url;
    // The emulator's answers have been read; its webhooks are the next thing to flush.
    ctx.scheduler.afterRequest = () => this.emulator.webhooksIdle();
    ctx.scheduler.onRequest = (owner, url, status) => {
      if (status >= 400 || status === 0)
        ctx.log.add("github_error", { owner: owner.name, path: new URL(url).pathname, status });
    };
    for (const repo of this.config.repos) {
      this.queues.set(repo.name, new SimRepoQueue(ctx, repo.name, (caller) => this.supervisor.port(caller)));
    }
    this.supervisor = new SimSupervisor(ctx, this.queues);
    this.people = new SimPeople(ctx, this.emulator.store);
    let index = 0;
    for (const queue of this.queues.values()) {
      const copies = index === 0 ? 2 : 1;
      for (let copy = 1; copy <= copies; copy += 1) {
        const id = `${queue.repo.split("/")[1] ?? queue.repo}-agent-${copy}`;
        this.agents.push(new SimAgent(ctx, queue, id, index === 0 ? 2 : 3, this.#folder));
      }
      index += 1;
    }
    for (const agent of this.agents) agent.start();
    this.ci(ctx.scheduler.now + 60_000);
    await this.settle();
  }

  /** Everything that can run without the clock moving: gated requests, webhooks, microtasks. */
  async settle(): Promise<void> {
    await this.emulator.webhooksIdle();
    await this.ctx.scheduler.settle();
  }

  /** The earliest alarm of any object, or null. */
  #nextAlarm(): number | null {
    // An object whose alarm is still running gets the next one when it ends (never overlapping).
    const objects = [this.supervisor, ...this.queues.values()].filter((object) => !object.alarmRunning);
    const set = objects.map((object) => object.storage.alarm).filter((at): at is number => at !== null);
    return set.length === 0 ? null : Math.min(...set);
  }

  /** Moves to the next event at or before `until`; false when there is none. */
  async step(until: number): Promise<boolean> {
    const { scheduler } = this.ctx;
    const alarm = this.#nextAlarm();
    const timer = scheduler.nextAt();
    const next = [alarm, timer].filter((at): at is number => at !== null);
    if (next.length === 0) return false;
    const at = Math.max(scheduler.now, Math.min(...next));
    if (at > until) return false;
    if (alarm !== null && alarm <= at && (timer === null || alarm <= timer)) {
      scheduler.now = at;
      this.supervisor.fireAlarm();
      for (const queue of this.queues.values()) queue.fireAlarm();
    } else {
      await scheduler.fireNext();
    }
    await this.settle();
    return true;
  }

  /** Runs until virtual time `until` (or nothing is left to do). */
  async runUntil(until: number): Promise<void> {
    let same = 0;
    let last = this.ctx.scheduler.now;
    while (await this.step(until)) {
      // Work that keeps rescheduling itself at one instant would spin for ever.
      same = this.ctx.scheduler.now === last ? same + 1 : 0;
      last = this.ctx.scheduler.now;
      if (same > 5_000) throw new Error(`the simulation made no progress at ${new Date(last).toISOString()}`);
    }
    this.ctx.scheduler.now = Math.max(this.ctx.scheduler.now, until);
  }

  /** The Worker's Cron Trigger: the supervisor's reconcile every five minutes, from `from`. */
  cron(from: number, everyMs = 5 * 60_000): void {
    const { scheduler, log } = this.ctx;
    const tick = (): void => {
      log.add("cron");
      this.ctx.track(
        this.supervisor.call((core) => core.reconcile()),
        null,
        "cron reconcile",
      );
      scheduler.after(everyMs, "cron", tick);
    };
    scheduler.at(from, "cron", tick);
  }

  async close(): Promise<void> {
    for (const agent of this.agents) agent.kill();
    await this.net.close();
    await this.emulator.close();
    rmSync(this.#folder, { recursive: true, force: true });
  }
}
