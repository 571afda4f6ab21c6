/**
 * What the WorkspaceSupervisor's core needs from where it runs (the Durable Object, or the
 * fault simulation in Node): storage and the alarm, a RepoQueue by repo, the board client,
 * the time, a way to tell the dashboard's pages, and `fetch` for notifications. Types only.
 */
import type { BoardClient } from "../board/board-client.ts";
import type { Budget } from "../board/api-budget.ts";
import type { DeliveryRow } from "./deliveries.ts";
import type { InboxEntry } from "./inbox.ts";
import type { MetaEntry } from "./meta-queue.ts";
import type { QaEntry } from "./qa-sequence.ts";
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import type { ActionResult } from "../queue/operator-actions.ts";
import type { Meta } from "../queue/meta.ts";
import type { IngestInput, RepoOutcome } from "../queue/repo-host.ts";
import type { RepoQueueState } from "../queue/repo-state.ts";
import type { QaVerdictResult } from "../queue/repo-qa.ts";
import type { StoragePort } from "../queue/sql.ts";
import type { SteerInput, SteerResult } from "../queue/steering.ts";
import type { PersonClaimResult } from "../queue/person-claims.ts";
import type { IndexDelta } from "../queue/apply-event.ts";
import type { BoardItem, IssueState } from "../board/board-item.ts";
import type { ItemStamp } from "../board/board-client.ts";

/** The RepoQueue RPC the supervisor calls (a Durable Object stub satisfies it). */
export interface RepoQueuePort {
  ingest(input: IngestInput): Promise<RepoOutcome>;
  dependencyUpdate(repo: string, states: IssueState[]): Promise<void>;
  reconcile(repo: string, request?: { full?: boolean }): Promise<RepoOutcome>;
  applyScan(repo: string, stamps: ItemStamp[], found: BoardItem[]): Promise<RepoOutcome>;
  reportIndex(repo: string): Promise<RepoOutcome & { index: IndexDelta }>;
  steer(input: SteerInput): Promise<SteerResult>;
  qaVerdict(number: number, verdict: "pass" | "fail", note: string | null): Promise<QaVerdictResult>;
  setPaused(repo: string, paused: boolean): Promise<void>;
  state(): Promise<RepoQueueState>;
  steerItem(
    repo: string,
    number: number,
    input: Omit<SteerInput, "runId">,
  ): Promise<SteerResult & { runId?: string }>;
  retryItem(repo: string, number: number): Promise<ActionResult>;
  releaseStaleClaim(repo: string, number: number): Promise<ActionResult>;
  setPausedOnce(repo: string, paused: boolean): Promise<{ changed: boolean }>;
  claimItem(repo: string, number: number, owner: string, leaseSeconds: number): Promise<PersonClaimResult>;
  renewClaim(repo: string, number: number, owner: string, leaseSeconds: number): Promise<PersonClaimResult>;
  unclaimItem(repo: string, number: number, owner: string, status: string | null): Promise<PersonClaimResult>;
}

export interface SupervisorHost {
  storage: StoragePort;
  repoQueue(repo: string): RepoQueuePort;
  config(): WorkspaceConfig;
  board(config: WorkspaceConfig, meta: Meta): BoardClient;
  waitUntil(work: Promise<unknown>): void;
  fetch(input: string, init: RequestInit): Promise<Response>;
  /** Tells the dashboard's connected pages that what they show changed (`scopes` say where). */
  broadcast(scopes: string[]): void;
  now(): number;
  log(line: string): void;
}

export interface IngestDelivery {
  deliveryId: string;
  event: string;
  action: string | null;
  hookId: string | null;
  /** The normalized event, or null for a verified event the product does not use. */
  workspaceEvent: WorkspaceEvent | null;
}

export type IngestResult = { status: "accepted" | "ignored" | "duplicate" };

export interface SupervisorState {
  deliveries: DeliveryRow[];
  deliveryCount: number;
  awaitingResolution: InboxEntry[];
  pendingRoutes: number;
  /** Manual QA in the operator's order; the first is the one to do now. */
  qaSequence: QaEntry[];
  /** Supervisory events, newest first. */
  metaQueue: MetaEntry[];
  /** The supervisor's own GitHub spend (routing reads, identity, redeliveries). */
  budget: Budget | null;
  indexes: { items: number; waits: number };
}

export type ReconcileSummary = {
  resolved: number;
  redelivered: number;
  repos: number;
  reconciled: number;
  scanned: boolean;
};
