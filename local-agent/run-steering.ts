/**
 * The seed's three steering commands applied to one run, each answered once with its effect:
 * `append_context` goes into the live session (and the prompt file, the source of truth for a
 * restart), or falls back to a checkpoint and restart where the channel has no live input;
 * `checkpoint_and_replan` restarts the agent in its worktree after a WIP commit;
 * `stop_and_requeue` stops it gracefully and keeps its work. Used by daemon.ts through `Run`.
 */
import type { RunOutcome } from "../worker/protocol/messages.ts";
import { appendContext } from "./prompt-file.ts";
import type { AgentExit } from "./run-agent.ts";
import type { Run } from "./run-lifecycle.ts";
import { liveContextMessage } from "./steering-text.ts";

export interface Replan {
  steerId: string;
  reason: string;
  /** New plan text for the checkpoint note ("" when it is already in the prompt file). */
  text: string;
  effect: "delivered" | "fell_back";
  detail: string;
}

export class RunSteering {
  /** What the stop did to the work (WIP commit, push); reported with the stop's answer. */
  stopDetail: string | null = null;
  private readonly replans: Replan[] = [];
  private readonly stopSteers: string[] = [];
  private readonly run: Run;

  constructor(run: Run) {
    this.run = run;
  }

  async appendContext(steerId: string, text: string, reason: string): Promise<void> {
    const { run } = this;
    if (!run.promptWritten) {
      run.args.context.push(text);
      return run.answer(steerId, "delivered", "added to the prompt before the agent started");
    }
    // The prompt file stays the source of truth: a later restart sees this text too.
    appendContext(run.promptFile, text, reason);
    if (run.isFinishing || run.stopReason !== null)
      return run.answer(steerId, "refused", "the agent had already ended; the text is kept in prompt.md");
    const session = run.session;
    if (session === null)
      return run.answer(steerId, "delivered", "in the prompt file the restarting agent starts from");
    const delivery = await session.deliver(liveContextMessage(text, reason, run.promptFile));
    if (delivery.delivered) {
      run.runLog(`steering ${steerId} delivered live (${session.channel}): ${delivery.detail}`);
      return run.answer(steerId, "delivered", delivery.detail);
    }
    if (run.isFinishing || run.stopReason !== null)
      return run.answer(steerId, "refused", `${delivery.detail}; the text is kept in prompt.md`);
    // No live input (or the session was just ending): checkpoint_and_replan semantics.
    const detail = `${delivery.detail}: restarted in the same worktree with the refreshed prompt`;
    run.runLog(`steering ${steerId} fell back to a checkpoint and restart: ${detail}`);
    this.replans.push({ steerId, reason, text: "", effect: "fell_back", detail });
    if (delivery.why === "no_channel") await session.stop("graceful", "checkpoint");
  }

  checkpoint(steerId: string, reason: string, text: string): void {
    const { run } = this;
    if (!run.promptWritten) {
      if (text.trim() !== "") run.args.context.push(text);
      return run.answer(steerId, "delivered", "in the prompt before the agent started");
    }
    if (run.isFinishing || run.stopReason !== null)
      return run.answer(steerId, "refused", "the agent had already ended");
    const detail = "checkpointed and restarted in the same worktree with the refreshed prompt";
    this.replans.push({ steerId, reason, text, effect: "delivered", detail });
    run.runLog(`steering ${steerId}: checkpoint and replan (${reason || "no reason given"})`);
    void run.session?.stop("graceful", "checkpoint");
  }

  /** Graceful stop; the work is committed and pushed, then the run is reported `stopped`. */
  async stopAndRequeue(steerId: string | null, reason: string): Promise<void> {
    const { run } = this;
    if (run.isFinishing) {
      if (steerId !== null)
        run.answer(steerId, "refused", "the agent had already ended; its run is being reported");
      return;
    }
    if (steerId !== null) this.stopSteers.push(steerId);
    run.stopReason ??= reason;
    run.preserveOnStop = true;
    run.runLog(`stopping gracefully: ${reason}`);
    await run.session?.stop("graceful", "stop");
  }

  takeReplans(): Replan[] {
    return this.replans.splice(0);
  }

  /** Replans taken for a restart that did not happen go back, to be answered at the end. */
  requeueReplans(replans: readonly Replan[]): void {
    this.replans.unshift(...replans);
  }

  pendingReplans(): number {
    return this.replans.length;
  }

  /** After a checkpoint stop, or an agent that ended while a replan waited, the agent goes on. */
  restartsAfter(exit: AgentExit): boolean {
    if (this.replans.length === 0) return false;
    return exit.kind === "exited" || (exit.kind === "stopped" && exit.why === "checkpoint");
  }

  /** The run is reporting: every command still waiting gets its answer first. */
  settleAll(outcome: RunOutcome): void {
    for (const steerId of this.stopSteers.splice(0))
      this.run.answer(steerId, "delivered", this.stopDetail ?? "stopped before the agent started");
    for (const replan of this.replans.splice(0))
      this.run.answer(
        replan.steerId,
        "refused",
        `the run ended (${outcome}) before the agent could be restarted`,
      );
  }
}
