/**
 * Which actor Copilot is in this repo: its bot's id, found once among the repo's assignable
 * actors (`suggestedActors(capabilities: [CAN_BE_ASSIGNED])`, one point) and kept in the
 * RepoQueue's storage for good, since it does not change. A repo without Copilot is asked
 * again at most hourly while a cloud item waits. Used by claim-cloud.ts and cloud-runs.ts.
 */
import { z } from "zod";
import type { CopilotActor } from "../board/copilot-client.ts";
import type { BoardPort } from "./board-port.ts";
import type { Meta } from "./meta.ts";

const KEY = "copilot_actor";
const RECHECK_MS = 60 * 60 * 1000;

const Stored = z.union([
  z.object({ found: z.literal(true), id: z.string(), login: z.string() }),
  z.object({ found: z.literal(false), checkedAt: z.number() }),
]);

export type ActorLookup = { kind: "found"; actor: CopilotActor } | { kind: "unavailable"; reason: string };

function stored(meta: Meta): z.infer<typeof Stored> | null {
  const text = meta.get(KEY);
  if (text === null) return null;
  try {
    const parsed = Stored.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The cached bot, if it was ever found (no GitHub call). */
export function knownCopilotActor(meta: Meta): CopilotActor | null {
  const value = stored(meta);
  return value?.found === true ? { id: value.id, login: value.login } : null;
}

export async function copilotActor(deps: {
  meta: Meta;
  board: Pick<BoardPort, "copilot">;
  repo: { name: string };
  now: () => number;
}): Promise<ActorLookup> {
  const unavailable = (): ActorLookup => ({
    kind: "unavailable",
    reason: `GitHub's Copilot coding agent is not among ${deps.repo.name}'s assignable actors: enable it for the repo, or set Agent Mode to cli or local-ide.`,
  });
  const value = stored(deps.meta);
  if (value?.found === true) return { kind: "found", actor: { id: value.id, login: value.login } };
  if (value?.found === false && deps.now() - value.checkedAt < RECHECK_MS) return unavailable();
  const actor = await deps.board.copilot.findActor(deps.repo.name);
  deps.meta.set(
    KEY,
    JSON.stringify(actor === null ? { found: false, checkedAt: deps.now() } : { found: true, ...actor }),
  );
  return actor === null ? unavailable() : { kind: "found", actor };
}
