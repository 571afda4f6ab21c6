/**
 * A run's side of "agents ask for scope" (the seed's FAQ): serves `wf-scope` (scope-server.ts),
 * sends each request to the RepoQueue as a `scope_request` frame, and applies the verdict: a
 * grant widens the run's lock keys and is noted in the prompt file; a refusal stops the run with
 * stop_and_requeue semantics once the agent has read it. Used by run-lifecycle.ts.
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { DispatchArgs, ScopeReply } from "../worker/protocol/messages.ts";
import type { Logger } from "./logger.ts";
import { appendNote } from "./prompt-file.ts";
import { ScopeRequests, type ScopeVerdict } from "./scope-requests.ts";
import { startScopeServer, type ScopeServer } from "./scope-server.ts";
import { scopeGrantedNote } from "./steering-text.ts";
import type { OutboxFrame, StateStore } from "./state-store.ts";

export interface RunScopeOptions {
  runId: string;
  fence: number;
  /** The run's dispatch arguments; a grant updates `lockKeys` and `neededFiles` in place. */
  args: DispatchArgs;
  promptFile: string;
  runDir: string;
  worktree: string;
  timeoutSeconds: number;
  logger: Logger;
  store: StateStore;
  send(frame: OutboxFrame): void;
  /** False once the run is stopping or finishing: new requests get no verdict. */
  accepting(): boolean;
  /** Stops the run as stop_and_requeue does (graceful stop, work committed and pushed). */
  stopAndRequeue(reason: string): void;
}

export class RunScope {
  private readonly requests = new ScopeRequests();
  private server: ScopeServer | null = null;
  private readonly options: RunScopeOptions;

  constructor(options: RunScopeOptions) {
    this.options = options;
  }

  /** Starts the run's scope server and writes `wf-scope`; returns the folder for the agent's PATH. */
  async start(): Promise<string> {
    const { options } = this;
    this.server = await startScopeServer({
      runDir: options.runDir,
      worktree: options.worktree,
      logger: options.logger,
      waitSeconds: options.timeoutSeconds + 30,
      request: (paths, reason) => this.request(paths, reason),
      answered: (verdict, paths) => {
        if (verdict.final && !verdict.granted)
          options.stopAndRequeue(`scope refused: ${verdict.reason} (asked for ${paths.join(", ")})`);
      },
      view: () => ({
        area: options.args.area,
        lockScope: options.args.lockScope,
        lockKeys: options.args.lockKeys,
        neededFiles: options.args.neededFiles,
      }),
    });
    return this.server.binDir;
  }

  /** The RepoQueue's verdict arrived. */
  replied(frame: z.infer<typeof ScopeReply>): void {
    const settled = this.requests.settle(frame.requestId, {
      granted: frame.granted,
      final: true,
      reason: frame.reason,
      lockKeys: frame.lockKeys,
    });
    if (!settled) this.options.logger.warn("scope_reply_unmatched", { requestId: frame.requestId });
  }

  /** The RepoQueue refused the frame itself (e.g. it cannot widen scope): no verdict. */
  notAnswered(requestId: string, message: string): void {
    this.requests.settle(requestId, {
      granted: false,
      final: false,
      reason: message || "the RepoQueue did not take the request",
      lockKeys: [],
    });
  }

  async close(): Promise<void> {
    this.requests.cancelAll("the run ended");
    await this.server?.close();
  }

  private async request(paths: string[], reason: string): Promise<ScopeVerdict> {
    const { options } = this;
    if (!options.accepting())
      return { granted: false, final: false, reason: "the run is stopping", lockKeys: [] };
    const id = randomUUID();
    options.send({ type: "scope_request", id, runId: options.runId, fence: options.fence, paths, reason });
    const verdict = await this.requests.wait(id, options.timeoutSeconds * 1000, () => {
      // Not answered in time: do not let a late resend widen a lock the agent was told it lacks.
      options.store.removeOutbox(id);
    });
    options.logger.info("scope_verdict", { requestId: id, paths, ...verdict });
    if (verdict.granted) {
      if (verdict.lockKeys.length > 0) options.args.lockKeys = verdict.lockKeys;
      options.args.neededFiles = [...new Set([...options.args.neededFiles, ...paths])];
      appendNote(options.promptFile, "Scope granted", scopeGrantedNote(paths, options.args.lockKeys));
    }
    return verdict;
  }
}
