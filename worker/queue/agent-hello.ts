/**
 * An agent's `hello` on a fresh or resumed socket: check the protocol version, retire an
 * older socket of the same agent id, remember the agent's capacity in the socket attachment,
 * answer `welcome` (naming the runs it reported that are no longer current, to stop), then
 * resend every frame it has not acknowledged. Used by the RepoQueue's webSocketMessage.
 */
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import { PROTOCOL, type AgentMessage } from "../protocol/messages.ts";
import { attachmentOf, type AgentSocket, type Attachment } from "./agents.ts";

export type Hello = Extract<AgentMessage, { type: "hello" }>;

/** Returns false when the socket was refused (wrong protocol version). */
export function greetAgent(
  ws: AgentSocket,
  attachment: Attachment,
  frame: Hello,
  deps: {
    sockets: readonly AgentSocket[];
    /** The agent's reported runs this queue no longer recognises (stale fence, unknown). */
    stopRuns: (runs: Hello["runs"]) => string[];
    /** Frames sent to this agent id and not acknowledged yet, oldest first. */
    pending: (agentId: string) => string[];
    lease: WorkspaceConfig["lease"];
  },
): boolean {
  if (frame.v !== PROTOCOL.version) {
    const message = `protocol v${PROTOCOL.version} expected`;
    ws.send(JSON.stringify({ type: "error", code: "version_mismatch", message }));
    ws.close(PROTOCOL.close.versionMismatch, "protocol version mismatch");
    return false;
  }
  for (const other of deps.sockets) {
    if (other !== ws && attachmentOf(other)?.agentId === frame.agentId) {
      other.close(PROTOCOL.close.replaced, "replaced by a newer connection");
    }
  }
  ws.serializeAttachment({ ...attachment, agentId: frame.agentId, capacity: frame.capacity });
  const stopRuns = deps.stopRuns(frame.runs);
  ws.send(
    JSON.stringify({
      type: "welcome",
      v: PROTOCOL.version,
      repo: attachment.repo,
      leaseSeconds: deps.lease.durationSeconds,
      heartbeatSeconds: deps.lease.heartbeatSeconds,
      stopRuns,
    }),
  );
  for (const pending of deps.pending(frame.agentId)) ws.send(pending);
  return true;
}
