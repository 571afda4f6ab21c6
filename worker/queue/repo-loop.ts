/**
 * The repo loop: keeps the repo's board mirror current from webhook deltas (reading only what
 * a payload lacks), gates and dispatches from the mirror, reconciles against the board within
 * the budget, and settles runs (finish, expire, requeue, board lease renewal). Plain module:
 * the RepoQueue Durable Object gives it storage, sockets, the agenda and the board.
 */
import type { RepoConfig, WorkspaceConfig } from "../config/workspace-config.ts";
import type { BoardItem, IssueState } from "../board/board-item.ts";
import { staleClaims, type StaleClaim } from "../board/gate.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import type { AgentInfo } from "./agents.ts";
import { applyEvent, completionOf, indexOf, type EventEffect } from "./apply-event.ts";
import type { BoardMirror } from "./board-mirror.ts";
import { boardLeaseExpiry } from "./claim-item.ts";
import { noteCloudEvent } from "./cloud-events.ts";
import { expireCloudRun, isCloudRun } from "./cloud-runs.ts";
import type { CloudSessions } from "./cloud-sessions.ts";
import type { DependencyStates } from "./dependency-states.ts";
import type { RunScopes } from "./scope-steering.ts";
import type { Reviews } from "../pr/reviews.ts";
import { gatePass, isOwnClaim } from "./gate-pass.ts";
import type { PendingReleases } from "./pending-releases.ts";
import type { Meta } from "./meta.ts";
import type { QaSession, QaSessions } from "./qa-sessions.ts";
import { decideQa, type QaVerdictResult } from "./repo-qa.ts";
import type { BoardPort } from "./board-port.ts";
import type { MicroQueue } from "./micro-queue.ts";
import type { MetaKind } from "../supervisor/meta-queue.ts";
import type { Outbox } from "./outbox.ts";
import { applyScan, reconcileBoard, reconcileDue, type ReconcileResult } from "./reconcile-board.ts";
import type { ItemStamp } from "../board/board-client.ts";
import type { Run, Runs } from "./runs.ts";
import type { FinishOutcome } from "./settle-run.ts";
import { finishRun, type FinishOptions } from "./finish-run.ts";
import { applyReviewEvent, type ReviewAction } from "../pr/review-events.ts";
import { ReviewLoop } from "../pr/review-loop.ts";
import { steerRun, type SteerInput, type SteerResult } from "./steering.ts";
import { requestScope, type ScopeVerdict } from "./scope-request.ts";

export interface LoopDeps {
  config: WorkspaceConfig;
  repo: RepoConfig;
  queue: MicroQueue;
  runs: Runs;
  outbox: Outbox;
  mirror: BoardMirror;
  depStates: DependencyStates;
  /** The scope each live run was dispatched with (so a change on the board steers it). */
  scopes: RunScopes;
  /** The items' pull requests, from a succeeded run to the merge or close. */
  reviews: Reviews;
  /** The sessions of GitHub's Copilot coding agent on `cloud` items (cloud-runs.ts). */
  cloud: CloudSessions;
  /** Releases the board still owes for finished runs (retried by the gate pass). */
  releases: PendingReleases;
  meta: Meta;
  board: BoardPort;
  transaction: (work: () => void) => void;
  agents: () => AgentInfo[];
  send: (agentId: string, frame: string) => void;
  now: () => number;
  log: (event: string, fields: Record<string, unknown>) => void;
  qa: QaSessions;
  /** Tells the supervisor this repo's waiting QA sessions (the workspace QA sequence). */
  reportQa: (waiting: QaSession[]) => Promise<void>;
  /** Escalates people's claims that need a person to the operator (meta queue). */
  reportStale: (claims: StaleClaim[]) => Promise<void>;
  /** The operator paused dispatch for this repo. */
  paused: () => boolean;
  /** Records a supervisory event of this repo in the workspace's meta queue (operator log). */
  journal: (kind: MetaKind, number: number | null, detail: string) => Promise<void>;
  /** Tells a person (the supervisor's notifications) that an item was parked after its retries. */
  notifyParked: (parked: { number: number; title: string; reason: string; runId: string }) => Promise<void>;
  /** The login the board client writes as, when known (to recognise its echoes). */
  selfLogin: () => string | null;
}

/** What an event or a reconciliation tells the supervisor. */
export type Outcome = Pick<EventEffect, "completions" | "index"> & { pass: boolean };

export class RepoLoop {
  readonly #d: LoopDeps;
  #reported = "";
  /** The items' pull requests: merges, closes, checks, retried openings, QA timeouts. */
  readonly reviews: ReviewLoop;

  constructor(deps: LoopDeps) {
    this.#d = deps;
    this.reviews = new ReviewLoop(deps, (run, outcome, reason, options) =>
      this.finishRun(run, outcome, reason, options),
    );
  }

  get repo(): RepoConfig {
    return this.#d.repo;
  }

  get board(): BoardPort {
    return this.#d.board;
  }

  /** People's claims that need a person (lease passed, or left on a finished item). */
  staleClaims(): StaleClaim[] {
    return staleClaims(this.#d.mirror.items(), this.#d.config, this.#d.now(), isOwnClaim);
  }

  steer(input: SteerInput): SteerResult {
    return steerRun(this.#d, input);
  }

  budget(): ReturnType<BoardPort["budget"]> {
    return this.#d.board.budget();
  }

  /** Whether the mirror has been filled by a first full read. */
  filled(): boolean {
    return this.#d.meta.getNumber("full_read_at") !== null;
  }

  /** A fresh (or wiped) queue reads its repo's items once, in full. */
  async fill(): Promise<Outcome> {
    if (this.filled()) return { pass: false, completions: [], index: null };
    const result = await reconcileBoard(this.#d, "full");
    return { pass: true, completions: result.completions, index: result.index };
  }

  /**
   * Applies one routed event to the mirror, without awaiting anything: `item` is the item
   * when the supervisor had to read it to route the event. `read` lists the items whose
   * payload lacked what is needed; `readItems` fetches them (one request).
   */
  applyDelta(
    deliveryId: string,
    event: WorkspaceEvent,
    item: BoardItem | null,
  ): Outcome & { read: string[]; echo: boolean; reviews: ReviewAction[] } {
    const { mirror, now } = this.#d;
    this.#steerOnEvent(deliveryId, event);
    const reviews = applyReviewEvent(this.#d.reviews, event, now());
    const cloud = noteCloudEvent(this.#d, event);
    if (item !== null) {
      const completion = completionOf(item);
      mirror.upsert(item, now());
      return {
        pass: true,
        read: [],
        completions: completion ? [completion] : [],
        index: indexOf([item], false),
        echo: false,
        reviews,
      };
    }
    const effect = applyEvent(
      { config: this.#d.config, mirror, selfLogin: this.#d.selfLogin(), now: now() },
      event,
    );
    if (event.kind === "issue" && effect.completions.length > 0)
      this.#d.depStates.upsert(effect.completions, now(), { onlyKnown: true });
    return {
      pass: effect.pass || cloud,
      read: effect.read,
      completions: effect.completions,
      index: effect.index,
      echo: effect.echo && reviews.length === 0,
      reviews,
    };
  }

  /** Reads items by id into the mirror (the ones a payload could not describe). */
  async readItems(ids: readonly string[]): Promise<Outcome> {
    const { mirror, now } = this.#d;
    const read = await this.#d.board.getItems(ids);
    for (const found of read) mirror.upsert(found, now());
    const gone = ids.filter((id) => !read.some((found) => found.itemId === id));
    for (const id of gone) mirror.remove(id);
    const completions = read.flatMap((found) => {
      const completion = completionOf(found);
      return completion ? [completion] : [];
    });
    return { pass: true, completions, index: indexOf(read, false, gone) };
  }

  /** Completions of dependencies elsewhere, fanned out by the supervisor. */
  dependencyUpdate(states: readonly IssueState[]): boolean {
    return this.#d.depStates.upsert(states, this.#d.now()) > 0;
  }

  /** Reads the repo's items in full when that is due (or asked for); see reconcile-board.ts. */
  async reconcile(request: { full?: boolean } = {}): Promise<ReconcileResult> {
    const kind = reconcileDue(this.#d, request);
    const result = await reconcileBoard(this.#d, kind);
    if (kind !== "none") this.#d.log("reconciled", { kind, read: result.read, changed: result.changed });
    return result;
  }

  /** Applies this repo's share of the supervisor's light scan. */
  async applyScan(stamps: readonly ItemStamp[], found: readonly BoardItem[]): Promise<ReconcileResult> {
    const result = await applyScan(this.#d, stamps, found);
    this.#d.log("reconciled", {
      kind: "scan",
      stamps: stamps.length,
      read: result.read,
      changed: result.changed,
    });
    return result;
  }

  /** The gate over the mirror, then claims; reads nothing but never-seen dependencies. */
  async pass(): Promise<void> {
    await this.fill();
    await gatePass(this.#d, {
      finishRun: (run, reason) => this.finishRun(run, "stopped", reason, { issueClosed: true }),
      settleRun: (run, outcome, reason) => this.finishRun(run, outcome, reason),
    });
    const stale = this.staleClaims();
    const key = JSON.stringify(stale);
    if (key !== this.#reported) {
      this.#reported = key;
      if (stale.length > 0) await this.#d.reportStale(stale);
    }
  }

  /** An agent's `wf-scope request` (see scope-request.ts). */
  requestScope(
    run: Run,
    request: { id: string; paths: readonly string[]; reason: string },
  ): Promise<ScopeVerdict> {
    return requestScope(this.#d, run, request);
  }

  /** What the daemon reported a steering command did (delivered live, fell back, refused). */
  async steerEffect(run: Run, effect: { steerId: string; effect: string; detail: string }): Promise<void> {
    const text = `${effect.effect}${effect.detail ? `: ${effect.detail}` : ""}`;
    this.#d.runs.setLastEvent(run.runId, `steering ${text}`, this.#d.now());
    await this.#d
      .journal("steer_effect", run.number, `${effect.steerId} to ${run.runId}: ${text}`)
      .catch((error: unknown) => this.#d.log("journal_failed", { runId: run.runId, error: String(error) }));
  }

  /** The operator's QA verdict for an item waiting in this repo's QA queue. */
  decideQa(number: number, verdict: "pass" | "fail", note: string | null): Promise<QaVerdictResult> {
    return decideQa(this.#d, number, verdict, note);
  }

  /** Ends a run: records it, settles its item and writes the board (see finish-run.ts). */
  async finishRun(
    run: Run,
    outcome: FinishOutcome,
    reason: string,
    options: FinishOptions = {},
  ): Promise<void> {
    await finishRun(this.#d, run, outcome, reason, options);
  }

  /** Runs whose lease passed without a heartbeat: release, requeue, and fence them off. */
  async expireLeases(): Promise<number> {
    const expired = this.#d.runs.expired(this.#d.now());
    for (const run of expired) {
      if (isCloudRun(run)) {
        await expireCloudRun(this.#d, run, (reason) => this.finishRun(run, "expired", reason));
        continue;
      }
      await this.finishRun(run, "expired", `lease expired at ${new Date(run.leaseExpires).toISOString()}`);
    }
    return expired.length;
  }

  /** When the board's lease of a live run is next due for renewal (null: no live run). */
  nextBoardRenewal(): number | null {
    const every = this.#d.config.lease.boardRenewSeconds * 1000;
    const due = this.#d.runs.live().map((run) => run.boardWrittenAt + every);
    return due.length === 0 ? null : Math.min(...due);
  }

  /** Writes `Lease Expires`/`Last Heartbeat` of the live runs whose board renewal is due. */
  async renewBoardLeases(): Promise<void> {
    const { config, runs, mirror, now } = this.#d;
    const every = config.lease.boardRenewSeconds * 1000;
    for (const run of runs.live()) {
      if (run.state === "claiming" || now() - run.boardWrittenAt < every) continue;
      const item = mirror.get(run.itemId);
      if (item === null) continue;
      runs.markBoardWritten(run.runId, now());
      const lease = {
        leaseExpires: boardLeaseExpiry(config, now()),
        lastHeartbeat: new Date(run.lastHeartbeat).toISOString(),
      };
      try {
        const written = await this.#d.board.renewLease(item, lease);
        mirror.applyOwnWrite(item.itemId, lease, written.updatedAt, now());
      } catch (error) {
        this.#d.log("lease_write_failed", { runId: run.runId, error: String(error) });
      }
    }
  }

  /**
   * New information for a run already going (seed: "Steering Active Runs"): a person's
   * comment on the issue reaches the agent as `append_context`, once per delivery.
   */
  #steerOnEvent(deliveryId: string, event: WorkspaceEvent): void {
    if (event.kind !== "issue_comment" || event.action !== "created") return;
    if (event.author === null || event.author.endsWith("[bot]")) return;
    const live = this.#d.runs.liveFor(event.number);
    if (!live || isCloudRun(live)) return;
    steerRun(this.#d, {
      runId: live.runId,
      command: "append_context",
      reason: `@${event.author} commented on the issue`,
      sourceEventId: deliveryId,
      text: `Comment by @${event.author}:\n${event.body}`,
    });
  }
}
