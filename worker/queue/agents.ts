/**
 * The local agents connected to a RepoQueue: hibernatable WebSockets whose per-connection
 * state (agent id, capacity) lives in the socket attachment, so it survives hibernation.
 */
import { z } from "zod";

export const AGENT_TAG = "agent";

const Attachment = z.object({
  repo: z.string(),
  agentId: z.string().nullable(),
  capacity: z.number().int(),
  connectedAt: z.number(),
});
export type Attachment = z.infer<typeof Attachment>;

export function attachmentOf(ws: WebSocket): Attachment | null {
  const parsed = Attachment.safeParse(ws.deserializeAttachment());
  return parsed.success ? parsed.data : null;
}

/** What the repo loop knows of a connected agent: who, and how many runs it takes. */
export interface AgentInfo {
  agentId: string;
  capacity: number;
}

export interface ConnectedAgent extends AgentInfo {
  socket: WebSocket;
}

/** Agents that have said hello, newest connection per agent id. */
export function connectedAgents(sockets: readonly WebSocket[]): ConnectedAgent[] {
  const byId = new Map<string, ConnectedAgent & { connectedAt: number }>();
  for (const socket of sockets) {
    if (socket.readyState !== WebSocket.OPEN) continue;
    const attachment = attachmentOf(socket);
    if (!attachment?.agentId) continue;
    const existing = byId.get(attachment.agentId);
    if (!existing || existing.connectedAt < attachment.connectedAt) {
      byId.set(attachment.agentId, {
        agentId: attachment.agentId,
        capacity: attachment.capacity,
        socket,
        connectedAt: attachment.connectedAt,
      });
    }
  }
  return [...byId.values()].map(({ agentId, capacity, socket }) => ({ agentId, capacity, socket }));
}

/** The agent with the most free capacity, or null when all are busy or none is connected. */
export function pickAgent<A extends AgentInfo>(
  agents: readonly A[],
  liveRuns: (agentId: string) => number,
): A | null {
  let best: { agent: A; free: number } | null = null;
  for (const agent of agents) {
    const free = agent.capacity - liveRuns(agent.agentId);
    if (free > 0 && (!best || free > best.free)) best = { agent, free };
  }
  return best?.agent ?? null;
}
