/**
 * The local agents connected to a RepoQueue: hibernatable WebSockets whose per-connection
 * state (agent id, capacity) lives in the socket attachment, so it survives hibernation.
 * Written against `AgentSocket`, the part of a Workers WebSocket it uses, so the RepoQueue's
 * socket side also runs outside workerd (the fault simulation).
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

/** The part of a hibernatable Workers WebSocket the RepoQueue's socket side uses. */
export interface AgentSocket {
  readonly readyState: number;
  send(message: string): void;
  close(code?: number, reason?: string): void;
  serializeAttachment(value: unknown): void;
  deserializeAttachment(): unknown;
}

/** `WebSocket.OPEN`, a constant of the standard (kept here so Node code need not import it). */
export const SOCKET_OPEN = 1;

export function attachmentOf(ws: AgentSocket): Attachment | null {
  const parsed = Attachment.safeParse(ws.deserializeAttachment());
  return parsed.success ? parsed.data : null;
}

/** What the repo loop knows of a connected agent: who, and how many runs it takes. */
export interface AgentInfo {
  agentId: string;
  capacity: number;
}

export interface ConnectedAgent<S extends AgentSocket = AgentSocket> extends AgentInfo {
  socket: S;
}

/** Agents that have said hello, newest connection per agent id. */
export function connectedAgents<S extends AgentSocket>(sockets: readonly S[]): ConnectedAgent<S>[] {
  const byId = new Map<string, ConnectedAgent<S> & { connectedAt: number }>();
  for (const socket of sockets) {
    if (socket.readyState !== SOCKET_OPEN) continue;
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
