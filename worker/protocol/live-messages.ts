/**
 * The dashboard's live channel, as both ends see it: what the WorkspaceSupervisor sends to a
 * page over its hibernatable WebSocket. Pure (zod/mini, light enough for the page's bundle);
 * imported by worker/supervisor/live-updates.ts and by dashboard/src.
 */
import * as z from "zod/mini";

export const LIVE = {
  /** The page's keep-alive; answered by the runtime without waking the supervisor. */
  ping: "ping",
  pong: "pong",
  /** Close codes after the upgrade. */
  close: { tooMany: 4429, goingAway: 1001 },
} as const;

/** What changed: a repo's name, `deliveries` (the journal), or `operator` (an operator action). */
export const LiveScope = z.string();

export const LiveMessage = z.discriminatedUnion("type", [
  /** Sent once on connect: read the state now. */
  z.object({ type: z.literal("hello"), at: z.number() }),
  /** What a page shows changed: read /api/state again. */
  z.object({ type: z.literal("changed"), at: z.number(), scopes: z.array(LiveScope) }),
]);
export type LiveMessage = z.infer<typeof LiveMessage>;
