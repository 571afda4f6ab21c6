/**
 * A simulated local-agent daemon: one per agent id, speaking the real protocol frames to its
 * RepoQueue over a simulated socket, with the daemon's real durable state store (applied ids,
 * outbox, runs in flight, run capabilities) and worktrees modelled on disk. Like connect.ts
 * and daemon.ts it says hello with its live runs, resends its outbox after `welcome`, acks and
 * de-duplicates server frames, stops runs refused with a stale fence, and after a restart
 * reports the runs the dead process left as interrupted. It can be SIGKILLed and flapped.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { StateStore, type OutboxFrame } from "../../local-agent/state-store.ts";
import { PROTOCOL, ServerMessage, parseFrame } from "../../worker/protocol/messages.ts";
import type { SimContext } from "./sim-context.ts";
import { SimRun, type Worktree } from "./sim-run.ts";
import type { SimRepoQueue } from "./sim-repo-queue.ts";
import { Owner } from "./scheduler.ts";
import { Link } from "./sim-sockets.ts";

const QUIET = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => QUIET };

interface Process {
  owner: Owner;
  link: Link | null;
  welcomed: boolean;
  runs: Map<string, SimRun>;
  heartbeatSeconds: number;
  acks: string[];
}

export class SimAgent {
  readonly id: string;
  readonly queue: SimRepoQueue;
  readonly capacity: number;
  readonly store: StateStore;
  readonly worktrees = new Map<string, Worktree>();
  readonly #ctx: SimContext;
  proc: Process | null = null;
  lives = 0;
  #frames = 0;

  constructor(ctx: SimContext, queue: SimRepoQueue, id: string, capacity: number, folder: string) {
    this.#ctx = ctx;
    this.queue = queue;
    this.id = id;
    this.capacity = capacity;
    const runFolder = join(folder, id.replace(/[^A-Za-z0-9._-]/g, "_"));
    mkdirSync(runFolder, { recursive: true });
    this.store = new StateStore(runFolder, QUIET);
  }

  #log(kind: string, fields: Record<string, unknown> = {}): void {
    this.#ctx.log.add(kind, { agent: this.id, ...fields });
  }

  get alive(): boolean {
    return this.proc !== null;
  }

  /** Starts the daemon: orphaned runs of a dead process are reported interrupted, then it connects. */
  start(): void {
    this.lives += 1;
    const proc: Process = {
      owner: new Owner(`agent ${this.id} #${this.lives}`),
      link: null,
      welcomed: false,
      runs: new Map(),
      heartbeatSeconds: 60,
      acks: [],
    };
    this.proc = proc;
    this.#log("agent_start", { life: this.lives });
    for (const orphan of this.store.runs()) {
      const tree = orphan.branch === null ? undefined : this.worktrees.get(orphan.branch);
      if (tree !== undefined) tree.runId = null;
      this.#log("agent_finished", {
        runId: orphan.runId,
        fence: orphan.fence,
        outcome: "interrupted",
        silent: false,
        dirty: tree?.dirty ?? false,
      });
      this.send({
        type: "run_finished",
        id: this.#frameId(),
        runId: orphan.runId,
        fence: orphan.fence,
        outcome: "interrupted",
        reason: `the daemon restarted while the run was in progress${tree?.dirty === true ? "; worktree kept with uncommitted changes, the next attempt continues in it" : ""}`,
        exitCode: null,
        branch: orphan.branch,
        commits: Array.from({ length: tree?.commits ?? 0 }, (_, i) => `c${i}`),
        prUrl: null,
      });
      if (tree !== undefined) this.#cleanUp(tree);
      this.store.removeRun(orphan.runId);
    }
    this.#connect(proc);
  }

  /** SIGKILL: the process and its socket are gone at once; disk (state, worktrees) stays. */
  kill(): void {
    const proc = this.proc;
    if (proc === null) return;
    proc.owner.alive = false;
    proc.link?.drop(1006, "agent");
    this.proc = null;
    this.#log("agent_killed", { runs: [...proc.runs.keys()] });
  }

  /** The socket drops under the daemon (frames in flight lost); it reconnects and says hello again. */
  flap(): void {
    this.proc?.link?.drop(1006, "network");
  }

  #frameId(): string {
    this.#frames += 1;
    return `${this.id}.${this.lives}.${this.#frames}`;
  }

  #connect(proc: Process): void {
    if (!proc.owner.alive) return;
    const link = new Link(`${this.id}#${this.lives}`, this.#ctx.scheduler, this.#ctx.rng.net, {
      toServer: (socket, text) => this.queue.message(socket, text),
      serverClosed: (socket, code) => this.queue.closed(socket, code),
      toAgent: (text) => {
        if (this.proc === proc && proc.link === link) this.#onFrame(proc, text);
      },
      agentClosed: () => {
        if (this.proc !== proc || proc.link !== link) return;
        proc.link = null;
        proc.welcomed = false;
        this.#ctx.scheduler.after(
          this.#ctx.rng.net.int(500, 8_000),
          `reconnect ${this.id}`,
          () => this.#connect(proc),
          proc.owner,
        );
      },
    });
    proc.link = link;
    proc.welcomed = false;
    this.queue.accept(link.server);
    const runs = [...proc.runs.values()].map((run) => ({
      runId: run.runId,
      fence: run.fence,
      state: run.state,
    }));
    link.sendToServer(
      JSON.stringify({ type: "hello", v: PROTOCOL.version, agentId: this.id, capacity: this.capacity, runs }),
    );
  }

  /** A state-changing frame: kept in the durable outbox until answered, proving its run's secret. */
  send(frame: OutboxFrame): void {
    const runSecret = frame.runSecret ?? this.store.runSecret(frame.runId, frame.fence);
    const proved = runSecret === undefined ? frame : { ...frame, runSecret };
    this.store.addOutbox(proved);
    const proc = this.proc;
    if (proc?.welcomed === true) proc.link?.sendToServer(JSON.stringify(proved));
  }

  #onFrame(proc: Process, text: string): void {
    const parsed = parseFrame(ServerMessage, text);
    if (!parsed.ok) return this.#log("agent_bad_frame", { error: parsed.error });
    const frame = parsed.value;
    switch (frame.type) {
      case "welcome":
        proc.welcomed = true;
        proc.heartbeatSeconds = frame.heartbeatSeconds;
        for (const runId of frame.stopRuns)
          proc.runs.get(runId)?.stop("the RepoQueue no longer recognises this run", true);
        for (const pending of this.store.outbox()) proc.link?.sendToServer(JSON.stringify(pending));
        for (const ack of proc.acks.splice(0)) proc.link?.sendToServer(ack);
        return;
      case "dispatch":
      case "steer":
      case "scope_reply": {
        const ack = JSON.stringify({ type: "ack", id: frame.id });
        if (proc.link?.open === true) proc.link.sendToServer(ack);
        else proc.acks.push(ack);
        if (this.store.isApplied(frame.id)) return;
        this.store.markApplied(frame.id);
        if (frame.type === "dispatch") this.#accept(proc, frame);
        else if (frame.type === "steer") {
          const run = proc.runs.get(frame.runId);
          if (run !== undefined && run.fence === frame.fence)
            run.steer(frame.id, frame.command, frame.reason);
        } else this.store.removeOutbox(frame.requestId);
        return;
      }
      case "reply":
      case "ack": {
        const answered = this.store.removeOutbox(frame.id);
        if (frame.type !== "reply" || frame.ok || answered === undefined) return;
        this.#log("agent_refused", {
          runId: answered.runId,
          fence: answered.fence,
          frame: answered.type,
          error: frame.error,
        });
        if (frame.error === "stale_fence" || frame.error === "unauthorized") {
          this.store.dropRunFrames(answered.runId);
          const run = proc.runs.get(answered.runId);
          if (run !== undefined && run.fence === answered.fence)
            run.stop("the lease passed to another run (stale fence)", true);
        }
        return;
      }
      case "error":
        return this.#log("agent_server_error", { code: frame.code, message: frame.message });
    }
  }

  #accept(proc: Process, frame: Extract<ServerMessage, { type: "dispatch" }>): void {
    if (frame.runSecret !== undefined)
      this.store.rememberCapability({ runId: frame.runId, fence: frame.fence, runSecret: frame.runSecret });
    if (proc.runs.has(frame.runId)) return;
    this.#log("agent_dispatched", { runId: frame.runId, fence: frame.fence, issue: frame.args.issueNumber });
    if (proc.runs.size >= this.capacity) {
      this.send({
        type: "run_finished",
        id: this.#frameId(),
        runId: frame.runId,
        fence: frame.fence,
        outcome: "refused",
        reason: `the daemon is at capacity (${this.capacity} run(s))`,
        exitCode: null,
        branch: null,
        commits: [],
        prUrl: null,
      });
      return;
    }
    const run: SimRun = new SimRun(frame, {
      ctx: this.#ctx,
      agentId: this.id,
      owner: proc.owner,
      worktrees: this.worktrees,
      send: (out) => this.send(out),
      frameId: () => this.#frameId(),
      heartbeatSeconds: () => proc.heartbeatSeconds,
      persist: (r) =>
        this.store.putRun({
          runId: r.runId,
          fence: r.fence,
          baseBranch: r.args.baseBranch,
          branch: r.worktree?.branch ?? null,
          worktree: r.worktree === null ? null : `/runs/${r.runId}/worktree`,
        }),
      forget: (r) => {
        proc.runs.delete(r.runId);
        this.store.removeRun(r.runId);
      },
      ended: (r) => {
        if (r.worktree !== null) this.#cleanUp(r.worktree);
      },
    });
    proc.runs.set(frame.runId, run);
    this.store.putRun({
      runId: frame.runId,
      fence: frame.fence,
      baseBranch: frame.args.baseBranch,
      branch: null,
      worktree: null,
    });
  }

  /** The daemon's rule: a clean worktree is removed after its run, one with uncommitted work kept. */
  #cleanUp(tree: Worktree): void {
    tree.runId = null;
    if (tree.dirty) {
      this.#log("worktree_kept", { branch: tree.branch, issue: tree.issue, dirty: true });
      return;
    }
    this.worktrees.delete(tree.branch);
    this.#log("worktree_removed", { branch: tree.branch, issue: tree.issue, dirty: tree.dirty });
  }

  /** Runs alive in this process (for the quiescence check). */
  liveRuns(): number {
    return this.proc?.runs.size ?? 0;
  }
}
