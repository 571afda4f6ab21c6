/**
 * What `/api/state`, the dashboard and `wf` show of one repo: its queue with verdicts, the lock
 * map, QA sessions, runs, agents, stale claims, the mirror, the budget and the agenda. Plain
 * module: the RepoQueue's core hands it its parts.
 */
import type { Budget } from "../board/api-budget.ts";
import type { StaleClaim } from "../board/gate.ts";
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import type { Agenda, AgendaEntry } from "../objects/agenda.ts";
import type { AgentInfo } from "./agents.ts";
import type { BoardMirror } from "./board-mirror.ts";
import { liveRepoFields, type LiveRepoFields } from "./live-repo-state.ts";
import { lockMap, type HeldLock } from "./lock-map.ts";
import type { Meta } from "./meta.ts";
import type { MicroQueue, QueueItem } from "./micro-queue.ts";
import type { Outbox } from "./outbox.ts";
import type { QaSession, QaSessions } from "./qa-sessions.ts";
import type { RepoLoop } from "./repo-loop.ts";
import type { Run, Runs } from "./runs.ts";
import type { Review, Reviews } from "../pr/reviews.ts";

export type PullRequestView = Omit<Review, "work">;

export interface RepoQueueState extends LiveRepoFields {
  repo: string | null;
  paused: boolean;
  items: QueueItem[];
  /** Every key held now and who holds it. */
  locks: HeldLock[];
  /** The repo's QA micro queue: sessions waiting for the operator. */
  qa: QaSession[];
  runs: Run[];
  /** The items' pull requests, newest first: branch, PR, tier, QA, landing, what happened last. */
  reviews: PullRequestView[];
  agents: { agentId: string; capacity: number; liveRuns: number }[];
  staleClaims: StaleClaim[];
  outbox: number;
  mirror: { items: number; fullReadAt: number | null; scannedAt: number | null };
  /** Gate passes run so far (an echo or a no-op event runs none). */
  passes: number;
  /** Times the alarm fired so far (an idle queue's stays still). */
  alarms: number;
  lastRefresh: { at: string; error: string | null } | null;
  /** GitHub GraphQL budget as this queue's calls saw it, with points per kind of operation. */
  budget: Budget | null;
  /** Timed work still to do, earliest first, and when the alarm will next fire (null: idle). */
  agenda: AgendaEntry[];
  alarm: number | null;
}

export interface StateParts {
  config: WorkspaceConfig;
  meta: Meta;
  queue: MicroQueue;
  mirror: BoardMirror;
  runs: Runs;
  qa: QaSessions;
  reviews: Reviews;
  outbox: Outbox;
  agenda: Agenda;
  agents: AgentInfo[];
  /** Absent while the queue does not know its repo yet. */
  loop: RepoLoop | undefined;
  alarm: number | null;
  now: number;
}

export function repoState(parts: StateParts): RepoQueueState {
  const { meta, queue, mirror, runs, loop } = parts;
  return {
    repo: meta.get("repo"),
    paused: meta.get("paused") === "1",
    // Titles from the mirror: an issue renamed since the item's last pass shows its new title.
    items: queue
      .list()
      .map((entry) => ({ ...entry, title: mirror.byNumber(entry.number)?.title ?? entry.title })),
    locks: lockMap(mirror, runs, parts.config, parts.now),
    qa: parts.qa.waiting(),
    runs: runs.recent(50),
    reviews: parts.reviews.recent(50).map(({ work: _work, ...review }) => review),
    agents: parts.agents.map((agent) => ({
      agentId: agent.agentId,
      capacity: agent.capacity,
      liveRuns: runs.liveCountFor(agent.agentId),
    })),
    staleClaims: loop?.staleClaims() ?? [],
    outbox: parts.outbox.size(),
    mirror: {
      items: mirror.count(),
      fullReadAt: meta.getNumber("full_read_at"),
      scannedAt: meta.getNumber("scan_at"),
    },
    passes: meta.getNumber("passes") ?? 0,
    alarms: meta.getNumber("alarms") ?? 0,
    lastRefresh: lastError(meta.get("last_error")),
    budget: loop?.budget() ?? null,
    agenda: parts.agenda.list(),
    alarm: parts.alarm,
    ...liveRepoFields(mirror),
  };
}

function lastError(text: string | null): { at: string; error: string | null } | null {
  if (!text) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && "at" in parsed && "error" in parsed)
      return { at: String(parsed.at), error: String(parsed.error) };
  } catch {
    // an older value: ignore it
  }
  return null;
}
