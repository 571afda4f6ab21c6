/**
 * What the RepoQueue's core needs from where it runs (the Durable Object, or the fault
 * simulation in Node), and what it answers: storage and the alarm, the agents' sockets, the
 * board client, the supervisor's RPC, the time. Types only.
 */
import type { ItemStamp } from "../board/board-client.ts";
import type { BoardItem, IssueState } from "../board/board-item.ts";
import type { StaleClaim } from "../board/gate.ts";
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import type { AgentMessage } from "../protocol/messages.ts";
import type { MetaKind } from "../supervisor/meta-queue.ts";
import type { NotificationCause } from "../supervisor/notifications.ts";
import type { QaEntry } from "../supervisor/qa-sequence.ts";
import type { AgentInfo } from "./agents.ts";
import type { IndexDelta } from "./apply-event.ts";
import type { BoardPort } from "./board-port.ts";
import type { Meta } from "./meta.ts";
import type { StoragePort } from "./sql.ts";

export type { ItemStamp, BoardItem };

export interface IngestInput {
  repo: string;
  deliveryId: string;
  event: WorkspaceEvent;
  /** The item, when the supervisor read it to route the event. */
  item?: BoardItem | null;
  /** The login the dispatcher writes as, when the supervisor knows it. */
  selfLogin?: string | null;
}

/** What the supervisor fans out after an event or a reconciliation of this repo. */
export interface RepoOutcome {
  applied: boolean;
  completions: IssueState[];
  index: IndexDelta | null;
  /** The event only echoed a write of the dispatcher's own (the deliveries view folds it). */
  echo?: boolean;
}

/** What a RepoQueue calls on its workspace's supervisor. */
export interface SupervisorPort {
  syncQa(repo: string, waiting: Omit<QaEntry, "repo">[]): Promise<void>;
  reportStaleClaims(repo: string, claims: StaleClaim[]): Promise<void>;
  journal(kind: MetaKind, repo: string, number: number | null, detail: string): Promise<void>;
  notify(cause: NotificationCause): Promise<unknown>;
  /** What the dashboard shows of this repo changed (coalesced by the caller). */
  repoChanged(repo: string): Promise<void>;
}

export interface RepoHost {
  storage: StoragePort;
  /** Agents that said hello on this queue's sockets. */
  agents(): AgentInfo[];
  send(agentId: string, frame: string): void;
  waitUntil(work: Promise<unknown>): void;
  config(): WorkspaceConfig;
  /** The board client of this object, whose meter and schema live in `meta`. */
  board(config: WorkspaceConfig, meta: Meta): BoardPort;
  supervisor(config: WorkspaceConfig): SupervisorPort;
  now(): number;
  log(line: string): void;
}

/** A frame about one run (everything an agent sends but `hello` and `ack`). */
export type RunFrame = Exclude<AgentMessage, { type: "hello" | "ack" }>;
