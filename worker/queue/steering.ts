/**
 * Steering a live run (seed: "Steering Active Runs"): `append_context`,
 * `checkpoint_and_replan` or `stop_and_requeue`, each with a reason, the source event and the
 * target run. The frame id is derived from source event, run and command, so a repeated
 * request is applied once; the frame goes through the outbox like every dispatch.
 */
import { frameId, type SteeringCommand } from "../protocol/messages.ts";
import { boundText } from "../storage/bound-text.ts";
import { FIELD_LIMITS } from "../storage/limits.ts";
import type { LoopDeps } from "./repo-loop.ts";

export interface SteerInput {
  runId: string;
  command: SteeringCommand;
  reason: string;
  sourceEventId: string;
  text: string;
}

/** `duplicate`: this exact command was already sent to this run; nothing was sent again. */
export type SteerResult =
  { ok: true; steerId: string; queued: boolean; duplicate: boolean } | { ok: false; error: string };

export function steerRun(
  deps: Pick<LoopDeps, "runs" | "outbox" | "transaction" | "agents" | "send" | "now">,
  input: SteerInput,
): SteerResult {
  const run = deps.runs.get(input.runId);
  if (!run || run.state === "finished") return { ok: false, error: `run ${input.runId} is not live` };
  // Within the protocol's id length, however long the source event's id (frameId hashes the rest).
  const id = frameId(`steer-${input.sourceEventId}-${input.runId}-${input.command}`);
  if (deps.outbox.appliedReply(id) !== null) return { ok: true, steerId: id, queued: false, duplicate: true };
  const frame = {
    type: "steer" as const,
    id,
    runId: run.runId,
    fence: run.fence,
    command: input.command,
    // Stored in the outbox until the agent acknowledges it: bounded like every stored field.
    reason: boundText(input.reason, FIELD_LIMITS.detailBytes),
    sourceEventId: boundText(input.sourceEventId, FIELD_LIMITS.identifierBytes),
    text: boundText(input.text, FIELD_LIMITS.steerTextBytes),
  };
  deps.transaction(() => {
    deps.outbox.add(run.agentId, run.runId, frame, deps.now());
    deps.outbox.recordApplied(id, "steer", deps.now());
  });
  const connected = deps.agents().some((agent) => agent.agentId === run.agentId);
  if (connected) deps.send(run.agentId, JSON.stringify(frame));
  return { ok: true, steerId: id, queued: !connected, duplicate: false };
}
