/**
 * Runs the fault simulation for one seed: a fault phase (faults and people's edits), a calm
 * phase (faults off, agents back, the reconcile) until the world is quiet, then the final
 * state written to the log, and the invariant checker over the whole log. The test and the
 * bench call it; a failing seed's report starts with the command that replays it.
 */
import { evaluateGate } from "../../worker/board/gate.ts";
import { boardTruth } from "./board-truth.ts";
import { installDeterministicCrypto } from "./deterministic-crypto.ts";
import { calmDown, planFaults } from "./fault-plan.ts";
import { checkInvariants, type Violation } from "./invariants.ts";
import { Prng } from "./prng.ts";
import { SIM_START, SimWorld } from "./sim-world.ts";

const MINUTE = 60_000;

export interface SeedOptions {
  /** Virtual minutes of faults. Default 180. */
  faultMinutes?: number;
  /** Longest calm phase, in virtual minutes, before the world must be quiet. Default 360. */
  calmMinutes?: number;
}

export interface SeedResult {
  seed: number;
  ok: boolean;
  violations: Violation[];
  /** SHA-256 of the event log: equal for two runs of one seed. */
  hash: string;
  entries: number;
  stats: Record<string, number>;
  /** The command that replays this seed. */
  reproduce: string;
  /** A failure report: the command, the violations, and the log around the first one. */
  report: string;
  wallMs: number;
  /** The whole event log, one JSON line an entry (for a failing seed's investigation). */
  logText(): string;
}

export const DEFAULT_FAULT_MINUTES = 180;

export function reproduceCommand(seed: number, faultMinutes = DEFAULT_FAULT_MINUTES): string {
  const minutes = faultMinutes === DEFAULT_FAULT_MINUTES ? "" : `SIM_FAULT_MINUTES=${faultMinutes} `;
  return `SIM_SEED=${seed} ${minutes}npx vitest run test/sim/fault-sim.test.ts`;
}

/** Quiet: no live run, no person's claim, nothing runnable on the board, nothing to route. */
async function quiet(world: SimWorld): Promise<boolean> {
  if (world.agents.some((agent) => agent.liveRuns() > 0) || world.people.claims.size > 0) return false;
  const state = await world.supervisor.call((core) => core.state());
  if (state.pendingRoutes > 0 || state.awaitingResolution.length > 0) return false;
  const board = boardTruth(world.emulator.store, world.config);
  const now = world.ctx.scheduler.now;
  return board.every((item) => evaluateGate({ item, board, config: world.config, now }).kind !== "runnable");
}

/** The world at rest, as the checker's `final_*` entries. */
async function writeFinal(world: SimWorld): Promise<void> {
  const { log, scheduler } = world.ctx;
  const board = boardTruth(world.emulator.store, world.config);
  for (const queue of world.queues.values()) {
    const state = await queue.core.state();
    const mirror = queue.core.operatorDeps().mirror;
    for (const item of board.filter((i) => i.repo === queue.repo && i.state === "OPEN" && !i.isArchived)) {
      const verdict = evaluateGate({ item, board, config: world.config, now: scheduler.now });
      const queued = state.items.find((entry) => entry.number === item.number);
      log.add("final_item", {
        repo: item.repo,
        number: item.number,
        status: item.fields.status,
        claimOwner: item.fields.claimOwner,
        verdict: verdict.kind,
        reason: "reason" in verdict ? verdict.reason : "",
        queueState: queued?.state ?? null,
        queueReason: queued?.reason ?? null,
        // What the RepoQueue believes of it (a difference from the board explains a failure).
        mirror: item.number === null ? null : (mirror.byNumber(item.number)?.fields ?? null),
      });
    }
  }
  for (const agent of world.agents) {
    log.add("final_agent", { agent: agent.id, liveRuns: agent.liveRuns() });
    for (const tree of agent.worktrees.values())
      log.add("final_worktree", { agent: agent.id, branch: tree.branch, dirty: tree.dirty });
  }
}

export async function runSeed(seed: number, options: SeedOptions = {}): Promise<SeedResult> {
  const started = performance.now();
  const restoreCrypto = installDeterministicCrypto(Prng.stream(seed, "crypto"));
  const world = new SimWorld(seed);
  try {
    await world.start();
    const { scheduler } = world.ctx;
    const faultEnd = SIM_START + (options.faultMinutes ?? DEFAULT_FAULT_MINUTES) * MINUTE;
    const calmEnd = faultEnd + (options.calmMinutes ?? 360) * MINUTE;
    world.cron(SIM_START + 1_000);
    planFaults(world, SIM_START, faultEnd);
    await world.runUntil(faultEnd);
    await calmDown(world);
    await world.settle();
    // Quiet twice in a row, ten minutes apart (a cron reconcile between), or the calm runs out.
    let quietChecks = 0;
    while (scheduler.now < calmEnd && quietChecks < 2) {
      await world.runUntil(Math.min(calmEnd, scheduler.now + 10 * MINUTE));
      quietChecks = (await quiet(world)) ? quietChecks + 1 : 0;
    }
    await writeFinal(world);
    const violations = checkInvariants(world.ctx.log.entries, world.config);
    return result(world, seed, options, violations, performance.now() - started);
  } finally {
    await world.close();
    restoreCrypto();
  }
}

function result(
  world: SimWorld,
  seed: number,
  options: SeedOptions,
  violations: Violation[],
  wallMs: number,
): SeedResult {
  const { log, scheduler } = world.ctx;
  const count = (kind: string) => log.count(kind);
  const stats: Record<string, number> = {
    virtualMinutes: Math.round((scheduler.now - SIM_START) / MINUTE),
    dispatches: new Set(log.entries.filter((e) => e.kind === "dispatch").map((e) => e.runId)).size,
    faults: count("fault"),
    hooksDropped: world.net.dropped,
    hooksDuplicated: world.net.duplicated,
    githubErrors: count("github_error"),
    personEdits: world.people.edits,
    repoRestarts: [...world.queues.values()].reduce((sum, q) => sum + q.lives - 1, 0),
    supervisorRestarts: world.supervisor.lives - 1,
    agentKills: count("agent_killed"),
    backgroundErrors: world.backgroundErrors,
    requests: scheduler.requestsReleased,
  };
  const reproduce = reproduceCommand(seed, options.faultMinutes);
  const first = violations[0];
  const around =
    first === undefined
      ? ""
      : log.entries
          .slice(Math.max(0, first.at - 40), first.at + 1)
          .map((e) => JSON.stringify(e))
          .join("\n");
  const report = [
    `fault simulation seed ${seed}: ${violations.length} violation(s). Reproduce with:`,
    `  ${reproduce}`,
    ...violations
      .slice(0, 20)
      .map((v) => `  [${v.invariant}] t+${Math.round((v.t - SIM_START) / 1000)}s #${v.at}: ${v.message}`),
    ...(first === undefined ? [] : ["log before the first violation:", around]),
  ].join("\n");
  return {
    seed,
    ok: violations.length === 0,
    violations,
    hash: log.hash(),
    entries: log.entries.length,
    stats,
    reproduce,
    report,
    wallMs,
    logText: () => log.entries.map((e) => JSON.stringify(e)).join("\n"),
  };
}
