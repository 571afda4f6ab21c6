/**
 * The local-agent daemon: one per repo. Wires the RepoQueue connection to runs — accepts
 * dispatches up to its capacity, routes steering and scope verdicts to the run they target (once
 * per id), stops runs the RepoQueue no longer recognises or whose lease passed on, and shuts down cleanly.
 * cli.ts starts it from flags; end-to-end tests start it with `startDaemon`.
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { daemonRefusal } from "../worker/board/agent-mode.ts";
import type { Dispatch, LiveRun, ScopeReply, Steer } from "../worker/protocol/messages.ts";
import { RUN_MARKER_VAR } from "./agent-templates.ts";
import { createLockCheck, type LockCheck } from "./check.ts";
import type { AgentConfig } from "./config.ts";
import { RepoQueueConnection, type ConnectionOptions } from "./connect.ts";
import { git } from "./git.ts";
import type { Logger } from "./logger.ts";
import { killTree } from "./process-tree.ts";
import { removeCleanWorktree } from "./prepare-worktree.ts";
import { inspectWorktree } from "./report.ts";
import { Run, type RunEnvironment } from "./run-lifecycle.ts";
import { StateStore } from "./state-store.ts";

export interface DaemonOptions {
  config: AgentConfig;
  logger: Logger;
  /** The lock re-check; default from the config (see `createLockCheck`). */
  check?: LockCheck;
  /** The environment agents inherit model-endpoint and locale variables from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Connection tuning (tests shorten the backoff). */
  connection?: Pick<ConnectionOptions, "backoffInitialMs" | "backoffMaxMs" | "pingIntervalMs" | "random">;
  /** How long a gracefully stopped agent gets before its tree is killed (default: the config's stopGraceSeconds). */
  forceKillAfterMs?: number;
  /** How long `stop()` waits for the RepoQueue to answer the last reports (default 5000). */
  drainTimeoutMs?: number;
}

export interface Daemon {
  readonly connection: RepoQueueConnection;
  readonly store: StateStore;
  liveRuns(): LiveRun[];
  /** Resolves when the given run (or every run) has finished and reported. */
  settled(runId?: string): Promise<void>;
  /** Stops every run (reported as `stopped`), waits briefly for answers, closes the socket with 1000. */
  stop(reason?: string): Promise<void>;
}

const DEFAULT_HEARTBEAT_SECONDS = 60;

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { config } = options;
  const logger = options.logger.child({ repo: config.repo });
  const store = new StateStore(config.runFolder, logger);
  const runs = new Map<string, Run>();
  let welcomeHeartbeat: number | null = null;
  let stopping = false;

  const check = options.check ?? createLockCheck(config, logger);
  const gitIdentity = {
    name: await gitConfig(config.clonePath, "user.name"),
    email: await gitConfig(config.clonePath, "user.email"),
  };

  const handlers: ConnectionOptions["handlers"] = {
    hello: () => ({ agentId: config.agentId, capacity: config.concurrency, runs: liveRuns() }),
    onWelcome(frame) {
      welcomeHeartbeat = frame.heartbeatSeconds;
      for (const run of runs.values()) run.restartHeartbeats();
      for (const runId of frame.stopRuns) {
        const run = runs.get(runId);
        if (run !== undefined)
          // The RepoQueue would refuse its report (stale fence or unknown run): stop it quietly.
          void run.stop("the RepoQueue no longer recognises this run", { silent: true });
      }
    },
    onDispatch: accept,
    onSteer: steer,
    onScopeReply: scopeReplied,
    onRefused(frame, message) {
      // A RepoQueue that cannot widen scope refuses the frame itself: the agent gets no verdict.
      if (frame.type === "scope_request") runs.get(frame.runId)?.scopeNotAnswered(frame.id, message);
    },
    onStaleFence(runId, fence, error) {
      const run = runs.get(runId);
      if (run === undefined || run.fence !== fence) return;
      if (error === "unauthorized") {
        logger.error("unauthorized_stopping_run", {
          runId,
          fence,
          hint: "the run's secret was not accepted",
        });
        void run.stop("the RepoQueue refused this run's secret", { silent: true });
        return;
      }
      logger.warn("stale_fence_stopping_run", { runId, fence });
      void run.stop("the lease passed to another run (stale fence)", { silent: true });
    },
  };
  const connection = new RepoQueueConnection({
    workerUrl: config.workerUrl,
    repo: config.repo,
    token: config.token,
    store,
    logger,
    handlers,
    connectTimeoutMs: config.connectTimeoutSeconds * 1000,
    ...options.connection,
  });

  const environment: RunEnvironment = {
    config,
    logger,
    check,
    store,
    parentEnv: options.env ?? process.env,
    gitIdentity,
    send: (frame) => connection.send(frame),
    heartbeatSeconds: () => config.heartbeatSeconds ?? welcomeHeartbeat ?? DEFAULT_HEARTBEAT_SECONDS,
    forceKillAfterMs: options.forceKillAfterMs ?? config.stopGraceSeconds * 1000,
  };

  function liveRuns(): LiveRun[] {
    return [...runs.values()].map((run) => run.live());
  }

  function refuse(frame: z.infer<typeof Dispatch>, reason: string): void {
    logger.warn("dispatch_refused", { runId: frame.runId, reason });
    connection.send({
      type: "run_finished",
      id: randomUUID(),
      runId: frame.runId,
      fence: frame.fence,
      outcome: "refused",
      reason,
      exitCode: null,
      branch: null,
      commits: [],
      prUrl: null,
    });
  }

  function accept(frame: z.infer<typeof Dispatch>): void {
    // First, so that every report of the run, even a refusal, proves it.
    if (frame.runSecret !== undefined)
      store.rememberCapability({ runId: frame.runId, fence: frame.fence, runSecret: frame.runSecret });
    const existing = runs.get(frame.runId);
    if (existing !== undefined) {
      logger.warn("dispatch_for_live_run_ignored", { runId: frame.runId, id: frame.id });
      return;
    }
    if (stopping) return refuse(frame, "the daemon is shutting down");
    // A cloud item is Copilot's and a local-ide one a person's: never a daemon's.
    const notOurs = daemonRefusal(frame.args.agentMode);
    if (notOurs !== null) return refuse(frame, notOurs);
    if (runs.size >= config.concurrency)
      return refuse(frame, `the daemon is at capacity (${config.concurrency} run(s))`);
    logger.info("dispatch_accepted", {
      runId: frame.runId,
      fence: frame.fence,
      issue: frame.args.issueNumber,
    });
    const run = new Run(frame, environment);
    runs.set(run.runId, run);
    void run.done.then(() => {
      if (runs.get(run.runId) === run) runs.delete(run.runId);
    });
  }

  function steer(frame: z.infer<typeof Steer>): void {
    const run = runs.get(frame.runId);
    const fields = { runId: frame.runId, steerId: frame.id, command: frame.command, reason: frame.reason };
    if (run === undefined || run.fence !== frame.fence) {
      logger.warn("steer_for_unknown_run_ignored", { ...fields, fence: frame.fence });
      return;
    }
    logger.info("steer_received", { ...fields, sourceEventId: frame.sourceEventId });
    switch (frame.command) {
      case "append_context":
        void run.steering.appendContext(frame.id, frame.text, frame.reason);
        return;
      case "checkpoint_and_replan":
        run.steering.checkpoint(frame.id, frame.reason, frame.text);
        return;
      case "stop_and_requeue":
        void run.steering.stopAndRequeue(
          frame.id,
          `stopped by steering: ${frame.reason || "stop_and_requeue"}`,
        );
        return;
    }
  }

  function scopeReplied(frame: z.infer<typeof ScopeReply>): void {
    const run = runs.get(frame.runId);
    if (run === undefined)
      logger.warn("scope_reply_for_unknown_run", { runId: frame.runId, requestId: frame.requestId });
    else run.scopeReplied(frame);
  }

  await recoverRuns(store, logger, (frame) => connection.send(frame), config.clonePath);
  connection.start();
  logger.info("daemon_started", {
    agentId: config.agentId,
    agent: config.agent,
    concurrency: config.concurrency,
    runFolder: config.runFolder,
  });

  return {
    connection,
    store,
    liveRuns,
    async settled(runId) {
      const targets =
        runId === undefined ? [...runs.values()] : [runs.get(runId)].filter((r) => r !== undefined);
      await Promise.all(targets.map((run) => run.done));
    },
    async stop(reason = "the daemon is shutting down") {
      if (stopping) return;
      stopping = true;
      logger.info("daemon_stopping", { runs: runs.size });
      await Promise.all([...runs.values()].map((run) => run.stop(reason)));
      await Promise.all([...runs.values()].map((run) => run.done));
      if (connection.isReady) await connection.drained(options.drainTimeoutMs ?? 5000);
      await connection.close(1000, "daemon stopping");
      logger.info("daemon_stopped", { unanswered: store.outbox().length });
    },
  };
}

/**
 * Runs a previous daemon process left behind: kill what survives of them and report them
 * interrupted, which does not use up an attempt. A worktree with uncommitted work is kept, and
 * the item's next attempt continues in it (see prepare-worktree.ts); a clean one is removed.
 */
async function recoverRuns(
  store: StateStore,
  logger: Logger,
  send: RunEnvironment["send"],
  clonePath: string,
): Promise<void> {
  for (const run of store.runs()) {
    const sweep = await killTree(undefined, `${RUN_MARKER_VAR}=${run.runId}`);
    const repo =
      run.worktree !== null && run.branch !== null
        ? await inspectWorktree(run.worktree, run.baseBranch, run.branch)
        : { commits: [], dirty: false, unpushed: null };
    logger.warn("orphaned_run_reported", {
      runId: run.runId,
      killed: sweep.killed.length,
      commits: repo.commits.length,
    });
    send({
      type: "run_finished",
      id: randomUUID(),
      runId: run.runId,
      fence: run.fence,
      outcome: "interrupted",
      reason: `the daemon restarted while the run was in progress (${repo.commits.length} commit(s) on the branch${repo.dirty ? "; worktree kept with uncommitted changes, the next attempt continues in it" : ""})`,
      exitCode: null,
      branch: run.branch,
      commits: repo.commits,
      prUrl: null,
    });
    // Free the branch for the requeued item's next attempt; a dirty worktree is kept.
    if (run.worktree !== null && !repo.dirty) await removeCleanWorktree(clonePath, run.worktree);
    store.removeRun(run.runId);
  }
}

async function gitConfig(cwd: string, key: string): Promise<string | null> {
  const result = await git(cwd, ["config", "--get", key]);
  return result.ok && result.stdout.trim() !== "" ? result.stdout.trim() : null;
}
