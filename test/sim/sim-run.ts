/**
 * One run in a simulated daemon, as local-agent/run-lifecycle.ts lives it but with no CLI:
 * the real lock re-check against the board (over the gate), a worktree modelled as state
 * (commits, uncommitted work; resumed when an earlier attempt left it), `run_started`,
 * heartbeats, steering, a seeded end judged by the daemon's own `judgeRun`, `run_finished`,
 * and the daemon's clean-up rule: a worktree with uncommitted work is never removed.
 */
import { boardLockCheck, dispatchedKeys } from "../../local-agent/check.ts";
import { branchName } from "../../local-agent/prepare-worktree.ts";
import { judgeRun } from "../../local-agent/report.ts";
import type { AgentExit } from "../../local-agent/run-agent.ts";
import type { DispatchArgs, RunOutcome, RunWork } from "../../worker/protocol/messages.ts";
import type { OutboxFrame } from "../../local-agent/state-store.ts";
import { formatLockKeys } from "../../worker/board/locks.ts";
import { simBoard, type SimContext } from "./sim-context.ts";
import type { Owner } from "./scheduler.ts";

/** A worktree on the daemon's disk: it outlives the process, and is what a resumed run continues. */
export interface Worktree {
  branch: string;
  issue: number;
  commits: number;
  dirty: boolean;
  /** The run working in it now, if any. */
  runId: string | null;
}

export interface RunHost {
  ctx: SimContext;
  agentId: string;
  owner: Owner;
  worktrees: Map<string, Worktree>;
  send(frame: OutboxFrame): void;
  frameId(): string;
  heartbeatSeconds(): number;
  persist(run: SimRun): void;
  forget(run: SimRun): void;
  ended(run: SimRun): void;
}

const SILENT_LOGGER = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => SILENT_LOGGER,
};

export class SimRun {
  readonly runId: string;
  readonly fence: number;
  readonly args: DispatchArgs;
  readonly #h: RunHost;
  state: "preparing" | "running" | "finishing" = "preparing";
  worktree: Worktree | null = null;
  stopReason: string | null = null;
  silent = false;
  #finished = false;

  constructor(frame: { runId: string; fence: number; args: DispatchArgs }, host: RunHost) {
    this.runId = frame.runId;
    this.fence = frame.fence;
    this.args = frame.args;
    this.#h = host;
    const { ctx } = host;
    ctx.scheduler.after(
      ctx.rng.agents.int(200, 3000),
      `check ${this.runId}`,
      () => this.#start(),
      host.owner,
    );
  }

  #log(kind: string, fields: Record<string, unknown> = {}): void {
    this.#h.ctx.log.add(kind, { agent: this.#h.agentId, runId: this.runId, fence: this.fence, ...fields });
  }

  /** The lock re-check, the worktree, `run_started`: what the daemon does before writing code. */
  #start(): void {
    const { ctx, owner } = this.#h;
    const board = simBoard(ctx, owner, ctx.config, null);
    const done = ctx.config.statuses.done
      .map((s) => `-status:${/\s/.test(s) ? JSON.stringify(s) : s}`)
      .join(" ");
    const check = boardLockCheck({
      listItems: () => board.listItems({ query: done }),
      config: ctx.config,
      logger: SILENT_LOGGER,
      now: () => new Date(ctx.scheduler.now),
    });
    const work = check(this.args).then((verdict) => {
      if (!owner.alive || this.#finished) return;
      if (!verdict.ok) return this.finish({ kind: "conflict", reason: verdict.reason });
      if (this.stopReason !== null)
        return this.finish({ kind: "exit", exit: { kind: "stopped", why: "stop" } });
      this.#begin();
    });
    ctx.track(work, owner, `lock check ${this.runId}`);
  }

  #begin(): void {
    const { ctx, owner, worktrees } = this.#h;
    const branch = branchName(this.args.issueNumber, this.args.title);
    const kept = worktrees.get(branch);
    const resumed = kept !== undefined && kept.runId === null;
    const tree: Worktree = resumed
      ? kept
      : { branch, issue: this.args.issueNumber, commits: 0, dirty: false, runId: null };
    if (!resumed && kept !== undefined) {
      // The branch is checked out by another live run of this daemon: it cannot be prepared.
      return this.finish({
        kind: "refused",
        reason: `branch ${branch} is checked out by run ${kept.runId ?? "?"}`,
      });
    }
    tree.runId = this.runId;
    worktrees.set(branch, tree);
    this.worktree = tree;
    this.#h.persist(this);
    this.#log(resumed ? "worktree_resumed" : "worktree_made", {
      branch,
      dirty: tree.dirty,
      commits: tree.commits,
    });
    this.#h.send({
      type: "run_started",
      id: this.#h.frameId(),
      runId: this.runId,
      fence: this.fence,
      branch,
      worktree: `/runs/${this.runId}/worktree`,
    });
    this.state = "running";
    this.#log("agent_working", { repo: this.args.repo, keys: formatLockKeys(dispatchedKeys(this.args)) });
    this.#heartbeat();
    const calm = ctx.calm();
    const duration = ctx.rng.agents.int(calm ? 60_000 : 120_000, calm ? 600_000 : 2_400_000);
    ctx.scheduler.after(
      ctx.rng.agents.int(1_000, duration),
      `edit ${this.runId}`,
      () => {
        if (this.worktree !== null && this.state === "running") this.worktree.dirty = true;
      },
      owner,
    );
    ctx.scheduler.after(duration, `agent exits ${this.runId}`, () => this.#agentExited(), owner);
  }

  #heartbeat(): void {
    const { ctx, owner } = this.#h;
    ctx.scheduler.after(
      this.#h.heartbeatSeconds() * 1000,
      `heartbeat ${this.runId}`,
      () => {
        if (this.state !== "running" || this.#finished) return;
        if (!this.silent)
          this.#h.send({ type: "heartbeat", id: this.#h.frameId(), runId: this.runId, fence: this.fence });
        this.#heartbeat();
      },
      owner,
    );
  }

  /** The CLI agent ended on its own: a seeded outcome, judged by the repository like the daemon. */
  #agentExited(): void {
    if (this.#finished || this.state !== "running") return;
    const { ctx } = this.#h;
    const roll = ctx.calm()
      ? "succeed"
      : ctx.rng.agents.weighted({ succeed: 70, fail: 15, nothing: 8, stall: 7 });
    const tree = this.worktree;
    if (tree !== null && roll === "succeed") {
      tree.commits += 1;
      tree.dirty = false;
    }
    const exit: AgentExit =
      roll === "stall"
        ? { kind: "stalled", afterSeconds: 600, silence: "no output" }
        : { kind: "exited", exitCode: roll === "fail" ? 1 : 0, lastStderrLine: null };
    this.finish({ kind: "exit", exit });
  }

  /** Steering, as run-steering.ts applies it; checkpoints and stops commit the work. */
  steer(id: string, command: string, reason: string): void {
    const tree = this.worktree;
    if (command === "stop_and_requeue") {
      if (tree !== null && tree.dirty) {
        tree.commits += 1;
        tree.dirty = false;
      }
      this.stopReason ??= `stopped by steering: ${reason || "stop_and_requeue"}`;
      if (this.state === "running") this.finish({ kind: "exit", exit: { kind: "stopped", why: "stop" } });
      return;
    }
    if (command === "checkpoint_and_replan" && tree !== null && tree.dirty) {
      tree.commits += 1;
      tree.dirty = false;
    }
    if (!this.silent) {
      this.#h.send({
        type: "steer_applied",
        id: this.#h.frameId(),
        runId: this.runId,
        fence: this.fence,
        steerId: id,
        effect: "delivered",
        detail: "",
      });
    }
  }

  /** The run's tree is killed: silent when the RepoQueue would refuse its report anyway. */
  stop(reason: string, silent: boolean): void {
    this.stopReason ??= reason;
    if (silent) this.silent = true;
    if (this.state === "running") this.finish({ kind: "exit", exit: { kind: "stopped", why: "stop" } });
  }

  /** The daemon's push of the run's branch, and the work it reports (local-agent/run-work.ts). */
  #push(tree: Worktree): RunWork {
    const { ctx } = this.#h;
    const subjects = Array.from({ length: tree.commits }, (_, i) => `feat: ${this.args.title} (${i + 1})`);
    const paths = dispatchedKeys(this.args).map((key) => {
      if (key.path !== null)
        return key.path.replace(/\*\*?.*$/, "") + (key.path.includes("*") ? "sim.ts" : "");
      const area = ctx.config.repos
        .find((r) => r.name === this.args.repo)
        ?.areas.find((a) => a.name === key.area);
      return `${area?.paths[0] ?? ""}issue-${this.args.issueNumber}.ts`;
    });
    const head = ctx.push(this.args.repo, tree.branch, { subjects, paths });
    this.#log("branch_pushed", { branch: tree.branch, head });
    return {
      pushed: true,
      head,
      summary: `Worked on ${this.args.title}.`,
      testing: [],
      subjects,
      files: paths.map((path) => ({ path, additions: 3, deletions: 1 })),
      filesChanged: paths.length,
      additions: 3 * paths.length,
      deletions: paths.length,
    };
  }

  finish(end: { kind: "exit"; exit: AgentExit } | { kind: "conflict" | "refused"; reason: string }): void {
    if (this.#finished) return;
    this.#finished = true;
    this.state = "finishing";
    const tree = this.worktree;
    const repo = {
      commits: Array.from({ length: tree?.commits ?? 0 }, (_, i) => `c${i}`),
      dirty: tree?.dirty ?? false,
      unpushed: 0,
    };
    const verdict =
      end.kind === "exit"
        ? judgeRun(end.exit, repo, this.stopReason)
        : { outcome: end.kind as RunOutcome, reason: end.reason, exitCode: null };
    this.#log("agent_finished", { outcome: verdict.outcome, silent: this.silent, dirty: repo.dirty });
    // A succeeded run's branch is pushed and reported with what its pull request needs.
    const work =
      verdict.outcome === "succeeded" && tree !== null && !this.silent ? this.#push(tree) : undefined;
    if (!this.silent) {
      this.#h.send({
        type: "run_finished",
        id: this.#h.frameId(),
        runId: this.runId,
        fence: this.fence,
        outcome: verdict.outcome,
        reason: verdict.reason,
        exitCode: verdict.exitCode,
        branch: tree?.branch ?? null,
        commits: repo.commits,
        prUrl: null,
        ...(work === undefined ? {} : { work }),
      });
    }
    this.#h.forget(this);
    if (tree !== null) this.#h.ended(this);
  }
}
