/**
 * One dispatched run from acceptance to report: lock re-check, worktree, prompt file,
 * `run_started`, heartbeats, the agent (restarted in place after a checkpoint), judging by the
 * repository, `run_finished`, clean-up. daemon.ts creates a `Run` per dispatch and steers it.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { DispatchArgs, LiveRun } from "../worker/protocol/messages.ts";
import { buildAgentCommand, prepareAgentEnv, type TemplateValues } from "./agent-templates.ts";
import type { LockCheck } from "./check.ts";
import type { AgentConfig } from "./config.ts";
import type { Logger } from "./logger.ts";
import { prepareWorktree, removeCleanWorktree } from "./prepare-worktree.ts";
import { appendCheckpoint, appendContext, writePromptFile } from "./prompt-file.ts";
import { clampReason, inspectWorktree, judgeRun, type RepoState, type Verdict } from "./report.ts";
import { startAgent, type AgentProcess, type AgentResult } from "./run-agent.ts";
import type { OutboxFrame, StateStore } from "./state-store.ts";

export interface RunEnvironment {
  config: AgentConfig;
  logger: Logger;
  check: LockCheck;
  store: StateStore;
  parentEnv: NodeJS.ProcessEnv;
  gitIdentity: { name: string | null; email: string | null };
  send(frame: OutboxFrame): void;
  heartbeatSeconds(): number;
  forceKillAfterMs: number;
}

interface Replan {
  steerId: string;
  reason: string;
  text: string;
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
  readonly done: Promise<void>;
  private agent: AgentProcess | null = null;
  private promptWritten = false;
  private readonly replans: Replan[] = [];
  private finished = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly env: RunEnvironment;
  private readonly logger: Logger;

  constructor(frame: { runId: string; fence: number; args: DispatchArgs }, env: RunEnvironment) {
    this.runId = frame.runId;
    this.fence = frame.fence;
    this.args = { ...frame.args, context: [...frame.args.context] };
    this.env = env;
    this.logger = env.logger.child({ runId: this.runId, issue: this.args.issueNumber });
    this.dir = path.join(env.config.runFolder, runDirName(this.runId));
    this.promptFile = path.join(this.dir, "prompt.md");
    this.done = this.execute().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error("run_crashed", { message });
      this.finish({ outcome: "failed", reason: `daemon error: ${message}`, exitCode: null }, null);
    });
  }

  live(): LiveRun {
    return { runId: this.runId, fence: this.fence, state: this.state };
  }

  /** `append_context`: into the prompt file, or into the prompt still to be written. */
  appendContext(steerId: string, text: string, reason: string): void {
    if (this.promptWritten) appendContext(this.promptFile, text, reason);
    else this.args.context.push(text);
    this.answer(steerId);
  }

  /** `checkpoint_and_replan`: SIGTERM the agent, keep the worktree, restart with a checkpoint note. */
  checkpoint(steerId: string, reason: string, text: string): void {
    if (!this.promptWritten) {
      if (text.trim() !== "") this.args.context.push(text);
      this.answer(steerId);
      return;
    }
    this.replans.push({ steerId, reason, text });
    void this.agent?.stop("graceful", "checkpoint");
  }

  /** Stops the run's whole process tree; resolves once it is gone. */
  async stop(reason: string, options: { silent?: boolean } = {}): Promise<void> {
    this.stopReason ??= reason;
    if (options.silent === true) this.silent = true;
    if (this.agent !== null) await this.agent.stop("kill", "stop");
  }

  /** Answers a steer once it has taken effect. */
  answer(steerId: string): void {
    if (this.silent) return;
    this.env.send({ type: "steer_applied", id: randomUUID(), runId: this.runId, fence: this.fence, steerId });
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
      baseBranch: this.args.baseBranch || config.baseBranch,
      runFolder: config.runFolder,
      runDir: this.dir,
      issueNumber: this.args.issueNumber,
      title: this.args.title,
      busyWorktrees: this.env.store
        .runs()
        .filter((r) => r.runId !== this.runId)
        .flatMap((r) => (r.worktree === null ? [] : [r.worktree])),
    });
    if (!prepared.ok)
      return this.finish({ outcome: "refused", reason: prepared.reason, exitCode: null }, null);
    this.branch = prepared.branch;
    this.worktree = prepared.worktree;
    this.env.store.putRun({
      runId: this.runId,
      fence: this.fence,
      baseBranch: this.baseBranch(),
      branch: this.branch,
      worktree: this.worktree,
    });
    writePromptFile(this.promptFile, this.args, {
      runId: this.runId,
      branch: this.branch,
      worktree: this.worktree,
      resumed: prepared.resumed,
    });
    this.promptWritten = true;
    this.logger.info("worktree_ready", {
      branch: this.branch,
      worktree: this.worktree,
      from: prepared.from,
      resumed: prepared.resumed,
    });

    this.env.send({
      type: "run_started",
      id: randomUUID(),
      runId: this.runId,
      fence: this.fence,
      branch: this.branch,
      worktree: this.worktree,
    });
    this.state = "running";
    this.startHeartbeats();

    let result: AgentResult = { exit: { kind: "stopped", why: "stop" }, prUrls: [], survivors: [] };
    const prUrls: string[] = [];
    while (this.stopReason === null) {
      const restartedFor = this.replans.splice(0);
      if (restartedFor.length > 0) {
        const repo = await inspectWorktree(this.worktree, this.baseBranch(), this.branch);
        for (const replan of restartedFor) {
          appendCheckpoint(this.promptFile, { ...replan, commits: repo.commits, dirty: repo.dirty });
        }
      }
      if (this.stopReason !== null) break;
      this.agent = this.spawnAgent();
      for (const replan of restartedFor) this.answer(replan.steerId);
      result = await this.agent.done;
      this.agent = null;
      prUrls.push(...result.prUrls);
      const checkpointed = result.exit.kind === "stopped" && result.exit.why === "checkpoint";
      if (!checkpointed || this.stopReason !== null) break;
      this.logger.info("agent_checkpointed", { pending: this.replans.length });
    }
    if (this.stopReason !== null) result = { ...result, exit: { kind: "stopped", why: "stop" } };

    this.state = "finishing";
    this.stopHeartbeats();
    const repo = await inspectWorktree(this.worktree, this.baseBranch(), this.branch);
    const verdict = judgeRun(result.exit, repo, this.stopReason);
    this.finish(verdict, repo, prUrls.at(-1) ?? null);
    if (!config.keepWorktrees && !repo.dirty) {
      const cleanup = await removeCleanWorktree(config.clonePath, this.worktree);
      this.logger.info(
        "worktree_cleanup",
        cleanup.removed ? { removed: true } : { removed: false, reason: cleanup.reason },
      );
    } else {
      this.logger.info("worktree_kept", { worktree: this.worktree, dirty: repo.dirty });
    }
  }

  private baseBranch(): string {
    return this.args.baseBranch || this.env.config.baseBranch;
  }

  private spawnAgent(): AgentProcess {
    const { config } = this.env;
    const worktree = this.worktree ?? this.dir;
    const values: TemplateValues = {
      promptFile: this.promptFile,
      worktree,
      branch: this.branch ?? "",
      runId: this.runId,
      issue: String(this.args.issueNumber),
    };
    mkdirSync(this.dir, { recursive: true });
    const command = buildAgentCommand({
      kind: config.agent,
      template: config.agentCommand,
      bin: config.agentBin,
      extraArgs: config.agentArgs,
      promptText: readFileSync(this.promptFile, "utf8"),
      lastMessageFile: path.join(this.dir, "last-message.md"),
      values,
    });
    const env = prepareAgentEnv({
      kind: config.agent,
      runId: this.runId,
      runDir: this.dir,
      parentEnv: this.env.parentEnv,
      extraEnv: config.agentEnv,
      values,
      gitIdentity: this.env.gitIdentity,
      homeTemplate: config.agentHomeTemplate,
      isRoot: process.getuid?.() === 0,
    });
    this.logger.info("agent_starting", { file: command.file, argc: command.args.length });
    return startAgent({
      command,
      cwd: worktree,
      env,
      runId: this.runId,
      logFile: path.join(this.dir, "agent.log"),
      timeoutSeconds: config.agentTimeoutSeconds,
      stallSeconds: config.stallTimeoutSeconds,
      forceKillAfterMs: this.env.forceKillAfterMs,
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

  private finish(verdict: Verdict, repo: RepoState | null, prUrl: string | null = null): void {
    if (this.finished) return;
    this.finished = true;
    this.state = "finishing";
    this.stopHeartbeats();
    for (const replan of this.replans.splice(0)) this.answer(replan.steerId);
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
