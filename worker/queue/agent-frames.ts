/**
 * Applies one frame from a local agent to the repo's runs: the run's secret, fence checks,
 * lease renewal, run start and finish. Each state-changing frame is applied once; a resent
 * frame gets the reply it got the first time. Used by the RepoQueue's webSocketMessage.
 */
import type { AgentMessage, ServerMessage } from "../protocol/messages.ts";
import type { Outbox } from "./outbox.ts";
import type { RepoLoop } from "./repo-loop.ts";
import type { Runs } from "./runs.ts";
import { runSecretRefusal } from "./run-secret.ts";

type RunFrame = Extract<
  AgentMessage,
  { type: "heartbeat" | "run_started" | "run_finished" | "steer_applied" | "scope_request" }
>;
type Reply = Extract<ServerMessage, { type: "reply" }>;

export interface FrameDeps {
  runs: Runs;
  outbox: Outbox;
  loop: RepoLoop;
  leaseMs: number;
  now: () => number;
  transaction: (work: () => void) => void;
}

/** Returns the reply text to send; side effects on the board are awaited before it returns. */
export async function applyRunFrame(frame: RunFrame, deps: FrameDeps): Promise<string> {
  // Another agent's frame changes nothing, is not journalled, and learns nothing of the run.
  const refusal = await runSecretRefusal(frame, deps.runs);
  if (refusal !== null) {
    const reply: Reply = { type: "reply", id: frame.id, ok: false, error: "unauthorized", message: refusal };
    return JSON.stringify(reply);
  }
  const previous = deps.outbox.appliedReply(frame.id);
  if (previous !== null) return previous;

  const check = deps.runs.checkFence(frame.runId, frame.fence);
  let reply: Reply;
  if (!check.ok) {
    reply = { type: "reply", id: frame.id, ok: false, error: check.error, message: check.message };
  } else {
    const run = check.run;
    switch (frame.type) {
      case "heartbeat":
        // Heartbeats stay here; the board's lease is renewed on the agenda, far less often.
        deps.runs.renew(run.runId, deps.now(), deps.leaseMs);
        break;
      case "run_started":
        deps.transaction(() => {
          deps.runs.setState(run.runId, "running", frame.branch);
          deps.runs.renew(run.runId, deps.now(), deps.leaseMs);
          deps.runs.setLastEvent(run.runId, `started on ${frame.branch}`, deps.now());
        });
        break;
      case "run_finished":
        await deps.loop.finishRun(run, frame.outcome, frame.reason, {
          reported: { branch: frame.branch, work: frame.work, prUrl: frame.prUrl },
        });
        break;
      case "steer_applied":
        deps.outbox.ack(frame.steerId);
        await deps.loop.steerEffect(run, frame);
        break;
      case "scope_request":
        await deps.loop.requestScope(run, frame);
        break;
    }
    reply = { type: "reply", id: frame.id, ok: true, error: null, message: "" };
  }
  const text = JSON.stringify(reply);
  deps.outbox.recordApplied(frame.id, text, deps.now());
  return text;
}
