/**
 * The RepoQueue's socket side, one agent frame at a time: parse it, `hello` (agent-hello.ts),
 * acks, then run frames through the core, answering on the same socket; and a socket that
 * closed. Plain: the RepoQueue Durable Object calls it from webSocketMessage/webSocketClose
 * over its hibernatable WebSockets, the fault simulation over its own sockets.
 */
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import { AgentMessage, parseFrame, PROTOCOL } from "../protocol/messages.ts";
import { greetAgent } from "./agent-hello.ts";
import { attachmentOf, type AgentSocket } from "./agents.ts";
import type { RepoCore } from "./repo-core.ts";

export interface SocketSide {
  core: RepoCore;
  /** Every agent socket of this queue (to retire an older one of the same agent). */
  sockets: () => readonly AgentSocket[];
  lease: () => WorkspaceConfig["lease"];
}

export async function agentMessage(
  ws: AgentSocket,
  data: string | ArrayBuffer,
  side: SocketSide,
): Promise<void> {
  const parsed = parseFrame(AgentMessage, data);
  if (!parsed.ok) {
    ws.send(JSON.stringify({ type: "error", code: "invalid_message", message: parsed.error }));
    return;
  }
  const frame = parsed.value;
  const attachment = attachmentOf(ws);
  if (!attachment) return;
  const { core } = side;
  if (frame.type === "hello") {
    const greeted = greetAgent(ws, attachment, frame, {
      sockets: side.sockets(),
      stopRuns: (runs) => core.stopRuns(runs),
      pending: (agentId) => core.pending(agentId),
      lease: side.lease(),
    });
    if (greeted) core.agentConnected();
    return;
  }
  if (!attachment.agentId) {
    ws.send(JSON.stringify({ type: "error", code: "not_hello", message: "send hello first" }));
    ws.close(PROTOCOL.close.protocolError, "hello expected");
    return;
  }
  if (frame.type === "ack") return core.acknowledge(frame.id);
  ws.send(await core.runFrame(frame));
}

/** The agent's socket closed: answer the close, and let its runs keep their lease. */
export function agentClosed(ws: AgentSocket, code: number, core: RepoCore): void {
  ws.close(code === 1005 ? 1000 : code, "closing");
  core.agentGone();
}
