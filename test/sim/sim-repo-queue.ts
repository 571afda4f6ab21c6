/**
 * One RepoQueue in the simulation: its storage and agent sockets outlive the cores built
 * over them. The real `RepoCore` runs with host ports of the simulation (gated board, virtual
 * clock, the simulated supervisor) and the real socket side (worker/queue/agent-socket.ts).
 * `restart` throws the core away and builds a new one, as an eviction or a deploy does.
 */
import { connectedAgents, SOCKET_OPEN } from "../../worker/queue/agents.ts";
import { agentClosed, agentMessage } from "../../worker/queue/agent-socket.ts";
import * as operator from "../../worker/queue/operator-actions.ts";
import * as claims from "../../worker/queue/person-claims.ts";
import { RepoCore, type SupervisorPort } from "../../worker/queue/repo-core.ts";
import type { RepoQueuePort } from "../../worker/supervisor/supervisor-host.ts";
import { Incarnation, rpc, simBoard, type SimContext } from "./sim-context.ts";
import type { ServerSocket } from "./sim-sockets.ts";
import { SimStorage } from "./sim-storage.ts";

export class SimRepoQueue {
  readonly storage = new SimStorage();
  readonly sockets: ServerSocket[] = [];
  life: Incarnation;
  core: RepoCore;
  lives = 0;
  alarmRunning = false;

  readonly ctx: SimContext;
  readonly repo: string;
  readonly supervisor: (caller: Incarnation) => SupervisorPort;

  constructor(ctx: SimContext, repo: string, supervisor: (caller: Incarnation) => SupervisorPort) {
    this.ctx = ctx;
    this.repo = repo;
    this.supervisor = supervisor;
    [this.life, this.core] = this.#build();
  }

  #build(): [Incarnation, RepoCore] {
    this.lives += 1;
    const life = new Incarnation(`repo ${this.repo} #${this.lives}`);
    const { ctx } = this;
    const core = new RepoCore({
      storage: this.storage,
      agents: () => connectedAgents(this.open()),
      send: (agentId, frame) => {
        for (const agent of connectedAgents(this.open()))
          if (agent.agentId === agentId) agent.socket.send(frame);
      },
      waitUntil: (work) => ctx.track(work, life.owner, `waitUntil ${this.repo}`),
      config: () => ctx.config,
      board: (config, meta) => simBoard(ctx, life.owner, config, meta),
      supervisor: () => this.supervisor(life),
      now: () => ctx.scheduler.now,
      log: (line) => ctx.log.core(this.repo, line),
    });
    core.migrate();
    core.name(this.repo);
    return [life, core];
  }

  /** Eviction (sockets kept, as hibernation keeps them) or deploy (every socket closed). */
  restart(kind: "eviction" | "deploy"): void {
    this.life.kill();
    this.alarmRunning = false;
    if (kind === "deploy") for (const socket of this.open()) socket.link.drop(1012, "network");
    [this.life, this.core] = this.#build();
  }

  open(): ServerSocket[] {
    return this.sockets.filter((socket) => socket.readyState === SOCKET_OPEN);
  }

  /** A new agent socket, as the Durable Object's fetch accepts it after the Worker's token check. */
  accept(socket: ServerSocket): void {
    this.sockets.splice(0, this.sockets.length, ...this.open(), socket);
    socket.serializeAttachment({
      repo: this.repo,
      agentId: null,
      capacity: 0,
      connectedAt: this.ctx.scheduler.now,
    });
    socket.observe = (text) => this.#observe(socket, text);
  }

  /** Dispatches and replies, as the RepoQueue sent them, for the invariant checker. */
  #observe(socket: ServerSocket, text: string): void {
    const frame = JSON.parse(text) as Record<string, unknown> & { args?: Record<string, unknown> };
    const agent = socket.link.id;
    if (frame.type === "dispatch" && frame.args !== undefined) {
      const { issueNumber, lockKeys } = frame.args;
      this.ctx.log.add("dispatch", {
        repo: this.repo,
        agent,
        id: frame.id,
        runId: frame.runId,
        fence: frame.fence,
        issue: issueNumber,
        keys: lockKeys,
      });
    } else if (frame.type === "reply") {
      this.ctx.log.add("frame_reply", {
        repo: this.repo,
        agent,
        id: frame.id,
        ok: frame.ok,
        error: frame.error,
      });
    }
  }

  message(socket: ServerSocket, text: string): void {
    const frame = JSON.parse(text) as Record<string, unknown>;
    if (typeof frame.runId === "string") {
      this.ctx.log.add("frame_in", {
        repo: this.repo,
        agent: socket.link.id,
        id: frame.id,
        type: frame.type,
        runId: frame.runId,
        fence: frame.fence,
      });
    }
    const life = this.life;
    const side = { core: this.core, sockets: () => this.open(), lease: () => this.ctx.config.lease };
    this.ctx.track(agentMessage(socket, text, side), life.owner, `frame ${this.repo}`);
  }

  closed(socket: ServerSocket, code: number): void {
    agentClosed(socket, code, this.core);
  }

  /** Fires the alarm if it is due and not already running (the runtime never overlaps them). */
  fireAlarm(): void {
    const at = this.storage.alarm;
    if (at === null || at > this.ctx.scheduler.now || this.alarmRunning) return;
    this.storage.alarm = null;
    this.alarmRunning = true;
    const life = this.life;
    const run = this.core.alarm().catch((error: unknown) => {
      // The runtime retries a failed alarm; a second later is enough here.
      if (life.owner.alive && this.storage.alarm === null) this.storage.alarm = this.ctx.scheduler.now + 1000;
      throw error;
    });
    this.ctx.track(
      run.finally(() => {
        if (life === this.life) this.alarmRunning = false;
      }),
      life.owner,
      `alarm ${this.repo}`,
    );
  }

  /** The RPC surface the supervisor calls, as a Durable Object stub (calls from `caller`). */
  port(caller: Incarnation | null): RepoQueuePort {
    const call = <T>(work: (core: RepoCore) => Promise<T> | T): Promise<T> => {
      const life = this.life;
      const core = this.core;
      return rpc(caller?.owner ?? null, life, () => work(core));
    };
    const action = <R extends { ok: boolean; changed?: boolean }>(
      work: (deps: operator.OperatorDeps) => Promise<R>,
    ) =>
      call(async (core) => {
        const result = await core.serial(() => work(core.operatorDeps()));
        if (result.ok && result.changed === true) core.requestPass();
        return result;
      });
    return {
      ingest: (input) => call((core) => core.ingest(input)),
      dependencyUpdate: (repo, states) => call((core) => core.dependencyUpdate(repo, states)),
      reconcile: (repo, request) => call((core) => core.reconcile(repo, request)),
      applyScan: (repo, stamps, found) => call((core) => core.applyScan(repo, stamps, found)),
      reportIndex: (repo) => call((core) => core.reportIndex(repo)),
      steer: (input) => call((core) => core.steer(input)),
      qaVerdict: (number, verdict, note) => call((core) => core.qaVerdict(number, verdict, note)),
      setPaused: (repo, paused) => call(async (core) => void (await core.setPaused(repo, paused))),
      state: () => call((core) => core.state()),
      steerItem: (_repo, number, input) =>
        call((core) => operator.steerItem(core.operatorDeps(), number, input)),
      claimItem: (_repo, number, owner, lease) =>
        action((deps) => claims.claimForPerson(deps, number, owner, lease)),
      renewClaim: (_repo, number, owner, lease) =>
        action((deps) => claims.renewPersonClaim(deps, number, owner, lease)),
      unclaimItem: (_repo, number, owner, status) =>
        action((deps) => claims.unclaimPerson(deps, number, owner, status)),
      retryItem: (_repo, number) => action((deps) => operator.retry(deps, number)),
      releaseStaleClaim: (_repo, number) => action((deps) => operator.releaseStaleClaim(deps, number)),
      setPausedOnce: (repo, paused) => call((core) => core.setPaused(repo, paused)),
    };
  }
}
