/**
 * The WorkspaceSupervisor in the simulation: the real `SupervisorCore` over storage that
 * outlives it, with host ports of the simulation (the RepoQueues' RPC, the gated board, the
 * virtual clock). Also the port the RepoQueues call it through. `restart` builds a new core
 * over the same storage, its in-memory state gone, as an eviction does.
 */
import type { SupervisorPort } from "../../worker/queue/repo-core.ts";
import { SupervisorCore } from "../../worker/supervisor/supervisor-core.ts";
import { Incarnation, rpc, simBoard, type SimContext } from "./sim-context.ts";
import type { SimRepoQueue } from "./sim-repo-queue.ts";
import { SimStorage } from "./sim-storage.ts";

export class SimSupervisor {
  readonly storage = new SimStorage();
  readonly ctx: SimContext;
  readonly #queues: Map<string, SimRepoQueue>;
  life: Incarnation;
  core: SupervisorCore;
  lives = 0;
  alarmRunning = false;

  constructor(ctx: SimContext, queues: Map<string, SimRepoQueue>) {
    this.ctx = ctx;
    this.#queues = queues;
    [this.life, this.core] = this.#build();
  }

  #build(): [Incarnation, SupervisorCore] {
    this.lives += 1;
    const life = new Incarnation(`supervisor #${this.lives}`);
    const { ctx } = this;
    const core = new SupervisorCore({
      storage: this.storage,
      repoQueue: (repo) => this.#queue(repo).port(life),
      config: () => ctx.config,
      board: (config, meta) => simBoard(ctx, life.owner, config, meta),
      waitUntil: (work) => ctx.track(work, life.owner, "waitUntil supervisor"),
      // No notification URL is configured: nothing is ever sent.
      fetch: async () => new Response(null, { status: 404 }),
      broadcast: () => {},
      now: () => ctx.scheduler.now,
      log: (line) => ctx.log.core("supervisor", line),
    });
    // blockConcurrencyWhile: migrations and the first alarm before any call.
    ctx.track(core.start(), life.owner, "supervisor start");
    return [life, core];
  }

  #queue(repo: string): SimRepoQueue {
    const queue = [...this.#queues.values()].find((q) => q.repo.toLowerCase() === repo.toLowerCase());
    if (queue === undefined) throw new Error(`no RepoQueue for ${repo}`);
    return queue;
  }

  restart(): void {
    this.life.kill();
    this.alarmRunning = false;
    [this.life, this.core] = this.#build();
  }

  /** An RPC from the Worker (a route, the cron) into the current core. */
  call<T>(work: (core: SupervisorCore) => Promise<T> | T): Promise<T> {
    const core = this.core;
    return rpc(null, this.life, () => work(core));
  }

  fireAlarm(): void {
    const at = this.storage.alarm;
    if (at === null || at > this.ctx.scheduler.now || this.alarmRunning) return;
    this.storage.alarm = null;
    this.alarmRunning = true;
    const life = this.life;
    const run = this.core.alarm().catch((error: unknown) => {
      if (life.owner.alive && this.storage.alarm === null) this.storage.alarm = this.ctx.scheduler.now + 1000;
      throw error;
    });
    this.ctx.track(
      run.finally(() => {
        if (life === this.life) this.alarmRunning = false;
      }),
      life.owner,
      "alarm supervisor",
    );
  }

  /** What a RepoQueue (in its life `caller`) calls on the supervisor. */
  port(caller: Incarnation): SupervisorPort {
    const call = <T>(work: (core: SupervisorCore) => T | Promise<T>): Promise<T> => {
      const core = this.core;
      return rpc(caller.owner, this.life, () => work(core));
    };
    return {
      syncQa: (repo, waiting) => call((core) => core.syncQa(repo, waiting)),
      reportStaleClaims: (repo, claims) => call((core) => core.reportStaleClaims(repo, claims)),
      journal: (kind, repo, number, detail) => call((core) => core.journal(kind, repo, number, detail)),
      notify: (cause) => call((core) => core.notify(cause)),
      // The dashboard's live nudge: the simulation has no pages.
      repoChanged: async () => {},
    };
  }
}
