/**
 * One dispatched run from acceptance to report: lock re-check, worktree, prompt file, the scope
 * channel, `run_started`, heartbeats, the agent session (restarted in place after a checkpoint),
 * saving the work of a stopped run, judging by the repository, `run_finished`, clean-up.
 * daemon.ts creates a `Run` per dispatch; run-steering.ts applies steering to it.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import type { DispatchArgs, LiveRun, RunWork, ScopeReply, SteerEffect } from "../worker/protocol/messages.ts";
import type { AgentSession } from "./channels/agent-session.ts";
import { channelFor, startRunSession } from "./channels/start-session.ts";
import type { LockCheck } from "./check.ts";
import type { AgentConfig } from "./config.ts";
import type { Logger } from "./logger.ts";
import { prepareWorktree, removeCleanWorktree } from "./prepare-worktree.ts";
import { writePromptFile } from "./prompt-file.ts";
import { clampReason, type RepoState, type Verdict } from "./report.ts";
import type { AgentResult } from "./run-agent.ts";
import { RunScope } from "./run-scope.ts";
import { RunSteering } from "./run-steering.ts";
import { judgeFinishedRun } from "./run-work.ts";
import type { OutboxFrame, StateStore } from "./state-store.ts";
import { checkpointWork, saveStoppedWork } from "./wip-commit.ts";

export interface RunEnvironment {
  config: AgentConfig;
  logger: Logger;
  check: LockCheck;
  store: StateStore;
  parentEnv: NodeJS.ProcessEnv;
  gitIdentity: { name: string | null; email: string | null };
  send(frame: OutboxFrame): void;
  heartbeatSeconds(): number;
  /** How long a stopping agent gets before its whole process tree is killed. */
  forceKillAfterMs: number;
}

/**
 * Directory-safe form of a run id: one path segment, never `.`, `..` or hidden. The protocol
 * already pins run ids to this shape; this holds whatever reaches it.
 */
export function runDirName(runId: string): string {
  return (
    runId
      .replace(/[^A-Za-z0-9._-]/g, "_")
      .replace(/^\./, "_")
      .slice(0, 128) || "_"
  );
}

export class Run {
  readonly runId: string;
  readonly fence: number;
  readonly args: DispatchArgs;
  readonly dir: string;
  readonly promptFile: string;
  state: LiveRun["state"] = "preparing";
  branch: string | null = null;
  worktree: string | null = null;
  /** Set when the run must end: the reason becomes the report's. */
  stopReason: string | null = null;
  /** The lease passed to another run: end without reporting. */
  silent = false;
  /** A stop that keeps the work: WIP commit and push before the report (stop_and_requeue). */
  preserveOnStop = false;
  promptWritten = false;
  session: AgentSession | null = null;
  readonly done: Promise<void>;
  readonly steering: RunSteering;
  private scope: RunScope | null = null;
  private finished = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  readonly env: RunEnvironment;
  readonly logger: Logger;

  constructor(frame: { runId: string; fence: number; args: DispatchArgs }, env: RunEnvironment) {
    this.runId = frame.runId;
    this.fence = frame.fence;
    this.args = { ...frame.args, context: [...frame.args.context] };
    this.env = env;
    this.logger = env.logger.child({ runId: this.runId, issue: this.args.issueNumber });
    this.dir = path.join(env.config.runFolder, runDirName(this.runId));
    this.promptFile = path.join(this.dir, "prompt.md");
    this.steering = new RunSteering(this);
    this.done = this.execute().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error("run_crashed", { message });
      this.finish({ outcome: "failed", reason: `daemon error: ${message}`, exitCode: null }, null);
    });
  }

  live(): LiveRun {
    return { runId: this.runId, fence: this.fence, state: this.state };
  }

  get isFinishing(): boolean {
    return this.finished || this.state === "finishing";
  }

  /** Stops the run's whole process tree now (daemon shutdown, lost lease); resolves once it is gone. */
  async stop(reason: string, options: { silent?: boolean } = {}): Promise<void> {
    this.stopReason ??= reason;
    if (options.silent === true) this.silent = true;
    if (this.session !== null) await this.session.stop("kill", "stop");
  }

  /** The RepoQueue answered one of this run's scope requests. */
  scopeReplied(frame: z.infer<typeof ScopeReply>): void {
    this.scope?.replied(frame);
  }

  scopeNotAnswered(requestId: string, message: string): void {
    this.scope?.notAnswered(requestId, message);
  }

  /** Reports a steering command's effect to the RepoQueue. */
  answer(steerId: string, effect: SteerEffect, detail: string): void {
    this.logger.info("steer_applied", { steerId, effect, detail });
    if (this.silent) return;
    this.env.send({
      type: "steer_applied",
      id: randomUUID(),
      runId: this.runId,
      fence: this.fence,
      steerId,
      effect,
      detail: detail.slice(0, 2000),
    });
  }

  /** One line in the run's agent.log, so the run's own record says what steering did. */
  runLog(text: string): void {
    mkdirSync(this.dir, { recursive: true });
    appendFileSync(path.join(this.dir, "agent.log"), `# ${new Date().toISOString()} ${text}\n`);
  }

  private async execute(): Promise<void> {
    const { config } = this.env;
    // Known on disk from the start: a daemon restart reports it interrupted, whatever its stage.
    this.env.store.putRun({
      runId: this.runId,
      fence: this.fence,
      baseBranch: this.baseBranch(),
      branch: null,
      worktree: null,
    });
    const check = await this.env.check(this.args);
    if (!check.ok) return this.finish({ outcome: "conflict", reason: check.reason, exitCode: null }, null);
    if (this.stopReason !== null)
      return this.finish({ outcome: "stopped", reason: this.stopReason, exitCode: null }, null);

    const prepared = await prepareWorktree({
      clonePath: config.clonePath,
      baseBranch: this.baseBranch(),
      runFolder: config.runFolder,
      runDir: this.dir,
      issueNumber: this.args.issueNumber,
      title: this.args.title,
      branch: this.args.branch,
      busyWorktrees: this.env.store
        .runs()
        .filter((r) => r.runId !== this.runId)
        .flatMap((r) => (r.worktree === null ? [] : [r.worktree])),
    });
    if (!prepared.ok)
      return this.finish({ outcome: "refused", reason: prepared.reason, exitCode: null }, null);
    const { branch, worktree } = prepared;
    this.branch = branch;
    this.worktree = worktree;
    this.env.store.putRun({
      runId: this.runId,
      fence: this.fence,
      baseBranch: this.baseBranch(),
      branch,
      worktree,
    });
    writePromptFile(this.promptFile, this.args, {
      runId: this.runId,
      branch,
      worktree,
      resumed: prepared.resumed,
    });
    this.promptWritten = true;
    this.logger.info("worktree_ready", { branch, worktree, from: prepared.from, resumed: prepared.resumed });
    this.scope = new RunScope({
      runId: this.runId,
      fence: this.fence,
      args: this.args,
      promptFile: this.promptFile,
      runDir: this.dir,
      worktree,
      timeoutSeconds: config.scopeTimeoutSeconds,
      logger: this.logger,
      store: this.env.store,
      send: (frame) => this.env.send(frame),
      accepting: () => this.stopReason === null && !this.isFinishing,
      stopAndRequeue: (reason) => void this.steering.stopAndRequeue(null, reason),
    });
    const binDir = await this.scope.start();

    this.env.send({
      type: "run_started",
      id: randomUUID(),
      runId: this.runId,
      fence: this.fence,
      branch,
      worktree,
    });
    this.state = "running";
    this.startHeartbeats();

    const place = {
      worktree,
      branch,
      baseBranch: this.baseBranch(),
      runId: this.runId,
      identity: this.env.gitIdentity,
    };
    let result: AgentResult = { exit: { kind: "stopped", why: "stop" }, prUrls: [], survivors: [] };
    const prUrls: string[] = [];
    let lastMessage: string | null = null;
    while (this.stopReason === null) {
      const restartedFor = this.steering.takeReplans();
      let checkpointNote = "";
      if (restartedFor.length > 0)
        checkpointNote = await checkpointWork(place, this.promptFile, restartedFor);
      if (this.stopReason !== null) {
        this.steering.requeueReplans(restartedFor);
        break;
      }
      this.session = this.spawnSession(worktree, branch, binDir);
      for (const replan of restartedFor)
        this.answer(replan.steerId, replan.effect, `${replan.detail}${checkpointNote}`);
      result = await this.session.done;
      this.session = null;
      prUrls.push(...result.prUrls);
      lastMessage = result.lastMessage ?? lastMessage;
      if (this.stopReason !== null || !this.steering.restartsAfter(result.exit)) break;
      this.logger.info("agent_restarting", { pending: this.steering.pendingReplans() });
    }
    this.state = "finishing";
    this.stopHeartbeats();
    if (this.stopReason !== null) result = { ...result, exit: { kind: "stopped", why: "stop" } };
    if (this.stopReason !== null && this.preserveOnStop && !this.silent) {
      this.steering.stopDetail = await saveStoppedWork(place, this.stopReason);
      this.logger.info("work_saved", { detail: this.steering.stopDetail });
    }

    const finished = { worktree, branch, baseBranch: this.baseBranch(), runDir: this.dir };
    const judged = await judgeFinishedRun(finished, result.exit, this.stopReason, lastMessage);
    const { repo } = judged;
    this.finish(judged.verdict, repo, prUrls.at(-1) ?? null, judged.work);
    if (!config.keepWorktrees && !repo.dirty) {
      const cleanup = await removeCleanWorktree(config.clonePath, worktree);
      this.logger.info(
        "worktree_cleanup",
        cleanup.removed ? { removed: true } : { removed: false, reason: cleanup.reason },
      );
    } else {
      this.logger.info("worktree_kept", { worktree, dirty: repo.dirty });
    }
  }

  private baseBranch(): string {
    return this.args.baseBranch || this.env.config.baseBranch;
  }

  private spawnSession(worktree: string, branch: string, binDir: string): AgentSession {
    const { config } = this.env;
    const channel = channelFor(config);
    this.logger.info("agent_starting", { agent: config.agent, channel });
    this.runLog(`agent ${config.agent} starting on the ${channel} channel`);
    return startRunSession({
      config,
      runId: this.runId,
      issue: this.args.issueNumber,
      runDir: this.dir,
      promptFile: this.promptFile,
      worktree,
      branch,
      binDir,
      parentEnv: this.env.parentEnv,
      gitIdentity: this.env.gitIdentity,
      graceMs: this.env.forceKillAfterMs,
      logger: this.logger,
    });
  }

  private startHeartbeats(): void {
    this.stopHeartbeats();
    this.heartbeatTimer = setInterval(() => {
      if (this.silent) return;
      this.env.send({ type: "heartbeat", id: randomUUID(), runId: this.runId, fence: this.fence });
    }, this.env.heartbeatSeconds() * 1000);
  }

  /** The interval changed (a new `welcome`). */
  restartHeartbeats(): void {
    if (this.state === "running") this.startHeartbeats();
  }

  private stopHeartbeats(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private finish(
    verdict: Verdict,
    repo: RepoState | null,
    prUrl: string | null = null,
    work: RunWork | null = null,
  ): void {
    if (this.finished) return;
    this.finished = true;
    this.state = "finishing";
    this.stopHeartbeats();
    this.steering.settleAll(verdict.outcome);
    void this.scope?.close();
    const reason = clampReason(verdict.reason);
    if (this.silent) {
      this.logger.warn("run_ended_unreported", { outcome: verdict.outcome, reason });
    } else {
      this.env.send({
        type: "run_finished",
        id: randomUUID(),
        runId: this.runId,
        fence: this.fence,
        outcome: verdict.outcome,
        reason,
        exitCode: verdict.exitCode,
        branch: this.branch,
        commits: repo?.commits ?? [],
        prUrl,
        ...(work === null ? {} : { work }),
      });
      this.logger.info("run_finished", {
        outcome: verdict.outcome,
        reason,
        commits: repo?.commits.length ?? 0,
        prUrl,
      });
    }
    this.env.store.removeRun(this.runId);
  }
}
