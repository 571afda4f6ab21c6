/**
 * The repo loop: refresh from the board, run the pre-dispatch gate over the micro queue,
 * claim runnable items for connected agents, and settle runs (finish, expire, requeue).
 * Plain module: the RepoQueue Durable Object gives it storage, sockets and the board.
 */
import type { RepoConfig, WorkspaceConfig } from "../config/workspace-config.ts";
import type { BoardItem } from "../board/board-item.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import {
  evaluateGate,
  prepareBoard,
  staleClaims,
  unresolvedDependencyRefs,
  type PreparedBoard,
  type StaleClaim,
} from "../board/gate.ts";
import { pickAgent, type ConnectedAgent } from "./agents.ts";
import { findArea } from "../board/locks.ts";
import { BoardCache } from "./board-cache.ts";
import { CLAIM_OWNER_PREFIX, claimAndDispatch } from "./claim-item.ts";
import type { QaSession, QaSessions } from "./qa-sessions.ts";
import { decideQa, syncQa, type QaVerdictResult } from "./repo-qa.ts";
import type { BoardPort } from "./board-port.ts";
import type { MicroQueue } from "./micro-queue.ts";
import type { Outbox } from "./outbox.ts";
import type { Run, Runs } from "./runs.ts";
import { settleRun, type FinishOutcome } from "./settle-run.ts";
import { steerRun, type SteerInput, type SteerResult } from "./steering.ts";

/** Between full reads of the board, refreshes scan for changes (see board-cache.ts). */
const FULL_READ_EVERY_MS = 10 * 60 * 1000;

export interface LoopDeps {
  config: WorkspaceConfig;
  repo: RepoConfig;
  queue: MicroQueue;
  runs: Runs;
  outbox: Outbox;
  board: BoardPort;
  transaction: (work: () => void) => void;
  agents: () => ConnectedAgent[];
  send: (agentId: string, frame: string) => void;
  now: () => number;
  log: (event: string, fields: Record<string, unknown>) => void;
  qa: QaSessions;
  /** Tells the supervisor this repo's waiting QA sessions (the workspace QA sequence). */
  reportQa: (waiting: QaSession[]) => Promise<void>;
  /** Escalates people's claims whose lease passed to the operator (meta queue). */
  reportStale: (claims: StaleClaim[]) => Promise<void>;
  /** The operator paused dispatch for this repo. */
  paused: () => boolean;
}

const norm = (value: string | null | undefined): string => (value ?? "").trim().toLowerCase();

export class RepoLoop {
  readonly #d: LoopDeps;
  #stale: StaleClaim[] = [];
  readonly #cache: BoardCache;

  constructor(deps: LoopDeps) {
    this.#d = deps;
    // Only this repo's items: locks never cross repos, and dependencies elsewhere are read
    // as issue states. Five repos then share the budget instead of each reading everything.
    this.#cache = new BoardCache(FULL_READ_EVERY_MS, `repo:${deps.repo.name}`);
  }

  get staleClaims(): StaleClaim[] {
    return this.#stale;
  }

  /** Sends a steering command to a live run, once per (source event, run, command). */
  steer(input: SteerInput): SteerResult {
    return steerRun(this.#d, input);
  }

  /** GitHub's GraphQL budget as this isolate's board client last saw it. */
  budget(): ReturnType<BoardPort["budget"]> {
    return this.#d.board.budget();
  }

  /** An event touched this item or issue: read it in full on the next refresh. */
  invalidate(id: string): void {
    this.#cache.invalidate(id);
  }

  /**
   * New information for a run already going (seed: "Steering Active Runs"): a person's
   * comment on the issue reaches the agent as `append_context`, once per delivery.
   */
  steerOnEvent(deliveryId: string, event: WorkspaceEvent): void {
    if (event.kind !== "issue_comment" || event.action !== "created") return;
    if (event.author === null || event.author.endsWith("[bot]")) return;
    const live = this.#d.runs.liveFor(event.number);
    if (!live) return;
    steerRun(this.#d, {
      runId: live.runId,
      command: "append_context",
      reason: `@${event.author} commented on the issue`,
      sourceEventId: deliveryId,
      text: `Comment by @${event.author}:\n${event.body}`,
    });
  }

  /**
   * Reads the board (a scan plus the changed items, or in full when `full`), re-evaluates
   * every item of this repo, and dispatches what may run.
   */
  async refresh(options: { full?: boolean } = {}): Promise<void> {
    const { config, repo, queue, board, now } = this.#d;
    const items = await this.#cache.read(board, now(), options);
    const mine = items.filter((item) => norm(item.repo) === norm(repo.name) && item.number !== null);
    const at = now();
    this.#d.transaction(() => {
      for (const item of mine) {
        const known = queue.get(item.number ?? 0);
        const status = norm(item.fields.status);
        const wanted = status === norm(config.statuses.ready) || status === norm(config.statuses.qaRequired);
        if (!known && !wanted) continue;
        queue.upsert({
          number: item.number ?? 0,
          itemId: item.itemId,
          title: item.title,
          priorityRank: priorityRank(config, item.fields.priority),
          snapshot: item,
          now: at,
        });
      }
    });
    const stale = staleClaims(items, config, at, (owner) => owner.startsWith(CLAIM_OWNER_PREFIX)).filter(
      (claim) => norm(claim.repo) === norm(repo.name),
    );
    if (JSON.stringify(stale) !== JSON.stringify(this.#stale) && stale.length > 0)
      await this.#d.reportStale(stale);
    this.#stale = stale;
    await syncQa(this.#d, mine, options.full === true);
    await this.#evaluateAndDispatch(items);
  }

  /** The operator's QA verdict for an item waiting in this repo's QA queue. */
  decideQa(number: number, verdict: "pass" | "fail", note: string | null): Promise<QaVerdictResult> {
    return decideQa(this.#d, number, verdict, note);
  }

  async #evaluateAndDispatch(board: BoardItem[]): Promise<void> {
    const { config, queue, runs } = this.#d;
    const candidates = queue.list().filter((entry) => entry.snapshot !== null && entry.state !== "parked");
    const snapshots = candidates.map((entry) => entry.snapshot).filter((s): s is BoardItem => s !== null);
    const missing = unresolvedDependencyRefs(snapshots, board);
    const issueStates = missing.length > 0 ? await this.#d.board.getIssueStates(missing) : [];
    // Indexed once per pass (and again after a claim changes the board): the gate is then linear.
    let prepared: PreparedBoard | undefined;

    for (const entry of candidates) {
      const item = board.find((candidate) => candidate.itemId === entry.itemId) ?? entry.snapshot;
      if (!item) continue;
      const live = runs.liveFor(entry.number);
      if (item.state === "CLOSED" || item.isArchived) {
        if (live) {
          // Tell the agent to stop before the run is closed (its frames would be refused anyway).
          const reason = item.isArchived ? "the item was archived" : "the issue was closed";
          steerRun(this.#d, {
            runId: live.runId,
            command: "stop_and_requeue",
            reason,
            sourceEventId: `closed-${live.runId}`,
            text: "",
          });
          await this.finishRun(live, "stopped", reason, true);
        }
        queue.setState(entry.number, "done", { reason: item.isArchived ? "item archived" : "issue closed" });
        queue.setVerdict(
          entry.number,
          "done",
          item.isArchived ? "The item is archived." : "The issue is closed.",
        );
        continue;
      }
      if (live) {
        queue.setVerdict(
          entry.number,
          "active",
          `Run ${live.runId} (fence ${live.fence}) holds ${live.lockKeys}.`,
        );
        continue;
      }
      prepared ??= prepareBoard(board, config, this.#d.now());
      const verdict = evaluateGate({ item, board, issueStates, config, now: this.#d.now(), prepared });
      if (verdict.kind === "active" && entry.state === "running") continue;
      if (verdict.kind === "active" && norm(item.fields.status) === norm(config.statuses.qaRequired)) {
        queue.setVerdict(
          entry.number,
          "qa_required",
          "Waiting for a person's QA; it holds its lock until the verdict.",
        );
        continue;
      }
      if (verdict.kind !== "runnable") {
        queue.setVerdict(entry.number, verdict.kind, verdict.reason);
        if (entry.state === "done" && verdict.kind !== "not_ready") queue.setState(entry.number, "queued");
        continue;
      }
      if (entry.state === "done") queue.setState(entry.number, "queued");
      if (entry.notBefore > this.#d.now()) {
        const when = new Date(entry.notBefore).toISOString();
        queue.setVerdict(
          entry.number,
          "runnable",
          `Runnable; retry ${entry.attempts + 1} not before ${when}.`,
        );
        continue;
      }
      if (this.#d.paused()) {
        queue.setVerdict(entry.number, "runnable", "Runnable; dispatch is paused by the operator.");
        continue;
      }
      const agent = pickAgent(this.#d.agents(), (id) => runs.liveCountFor(id));
      if (!agent) {
        const connected = this.#d.agents().length;
        const reason =
          connected === 0
            ? "Runnable; no agent connected for this repo."
            : "Runnable; every connected agent is at capacity.";
        queue.setVerdict(entry.number, "runnable", reason);
        continue;
      }
      const claimed = await claimAndDispatch(this.#d, item, agent, verdict, entry.attempts + 1);
      if (claimed) {
        // Later items in this pass must see the claim as an active holder.
        const index = board.findIndex((candidate) => candidate.itemId === item.itemId);
        const held: BoardItem = {
          ...item,
          fields: { ...item.fields, status: config.statuses.inProgress, lockKey: verdict.lockKeyText },
        };
        if (index >= 0) board[index] = held;
        else board.push(held);
        prepared = undefined;
      }
    }
  }

  /**
   * Ends a run: records it, settles its item (see settle-run.ts), and releases its lock on
   * the board. `issueClosed` leaves the board's Status alone and the item done.
   */
  async finishRun(run: Run, outcome: FinishOutcome, reason: string, issueClosed = false): Promise<void> {
    const { config, queue, runs, outbox, now } = this.#d;
    const entry = queue.get(run.number);
    const risk = entry?.snapshot ? findArea(this.#d.repo, entry.snapshot.fields.area ?? "")?.risk : undefined;
    const needsQa = risk !== undefined && config.qa.requiredFor.includes(risk);
    const settled = settleRun(run, outcome, reason, { config, now: now(), issueClosed, needsQa });
    this.#d.transaction(() => {
      runs.finish(run.runId, outcome, reason, now());
      outbox.dropRun(run.runId);
      if (!entry) return;
      queue.setState(run.number, settled.state, {
        attempts: settled.attempts,
        ...(settled.notBefore === undefined ? {} : { notBefore: settled.notBefore }),
        reason: settled.reason,
      });
      queue.setVerdict(run.number, settled.verdict, settled.reason);
    });
    if (entry?.snapshot) {
      await this.#d.board
        .releaseClaim(entry.snapshot, { status: settled.boardStatus })
        .catch((error: unknown) => {
          this.#d.log("release_failed", { runId: run.runId, error: String(error) });
        });
    }
    this.#d.log("run_finished", { runId: run.runId, outcome, reason, status: settled.boardStatus });
  }

  /** Runs whose lease passed without a heartbeat: release, requeue, and fence them off. */
  async expireLeases(): Promise<number> {
    const expired = this.#d.runs.expired(this.#d.now());
    for (const run of expired) {
      await this.finishRun(run, "expired", `lease expired at ${new Date(run.leaseExpires).toISOString()}`);
    }
    return expired.length;
  }

  /** Renews the board's lease fields once at least half a lease has passed since the last write. */
  async maybeWriteLease(run: Run): Promise<void> {
    const { config, queue, runs, now } = this.#d;
    const halfLease = (config.lease.durationSeconds * 1000) / 2;
    if (now() - run.boardWrittenAt < halfLease) return;
    const snapshot = queue.get(run.number)?.snapshot;
    if (!snapshot) return;
    runs.markBoardWritten(run.runId, now());
    await this.#d.board.renewLease(snapshot, {
      leaseExpires: new Date(now() + config.lease.durationSeconds * 1000).toISOString(),
      lastHeartbeat: new Date(now()).toISOString(),
    });
  }
}

function priorityRank(config: WorkspaceConfig, priority: string | null): number {
  const index = config.priorities.findIndex((p) => norm(p) === norm(priority));
  return index === -1 ? config.priorities.length : index;
}
