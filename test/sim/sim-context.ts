/**
 * What every part of the simulation shares: the scheduler (virtual clock, gate), the event
 * log, the workspace config, the emulator's URL, the seeded streams, the tracking of
 * background work (a Durable Object's waitUntil), and one life of an object (`Incarnation`):
 * calls into it fail when it is reset, and answers to a caller that died meanwhile are lost.
 */
import { BoardClient } from "../../worker/board/board-client.ts";
import { ProjectSchema } from "../../worker/board/project-schema.ts";
import type { WorkspaceConfig } from "../../worker/config/workspace-config.ts";
import type { Meta } from "../../worker/queue/meta.ts";
import type { EventLog } from "./event-log.ts";
import type { Prng } from "./prng.ts";
import { Owner, type Scheduler } from "./scheduler.ts";

export interface Streams {
  /** Which gated request goes next. */
  gate: Prng;
  /** Frame latencies on the agents' sockets. */
  net: Prng;
  /** Webhook drops, duplicates and delays. */
  hooks: Prng;
  /** Which faults, when, and where. */
  faults: Prng;
  /** What people do on the board. */
  people: Prng;
  /** How agents' runs go. */
  agents: Prng;
  /** Ids the simulated agents make. */
  ids: Prng;
}

export interface SimContext {
  scheduler: Scheduler;
  log: EventLog;
  config: WorkspaceConfig;
  emulatorUrl: string;
  rng: Streams;
  /** Background work of `owner` (waitUntil): a failure is logged, as the runtime would. */
  track(work: Promise<unknown>, owner: Owner | null, label: string): void;
  /** Whether the fault phase is over (no more injected faults or people's edits). */
  calm(): boolean;
  /**
   * A daemon's `git push` of a run's branch to GitHub (the emulator's branch registry, which
   * sends the push webhook); answers the branch's new head.
   */
  push(repo: string, branch: string, work: { subjects: string[]; paths: string[] }): string;
}

/** One life of a Durable Object: its owner (timers, requests) and the reset of calls into it. */
export class Incarnation {
  readonly owner: Owner;
  readonly died: Promise<never>;
  #kill: (error: Error) => void = () => {};

  constructor(name: string) {
    this.owner = new Owner(name);
    this.died = new Promise<never>((_, reject) => {
      this.#kill = reject;
    });
    // Nobody may be waiting on it; that must not be an unhandled rejection.
    this.died.catch(() => undefined);
  }

  kill(): void {
    this.owner.alive = false;
    this.#kill(new Error(`${this.owner.name} was reset (Durable Object restarted)`));
  }
}

/** An RPC from `caller` into `callee`: fails if the callee is reset, never answers a dead caller. */
export function rpc<T>(caller: Owner | null, callee: Incarnation, work: () => Promise<T> | T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const answer = Promise.race([Promise.resolve().then(work), callee.died]);
    answer.then(
      (value) => {
        if (caller === null || caller.alive) resolve(value);
      },
      (error: unknown) => {
        if (caller === null || caller.alive) reject(error);
      },
    );
  });
}

/**
 * A board client for one object's life, as the Worker's `boardFor` makes it (the project
 * schema kept in its meta), but over the gate, the virtual sleep and the virtual clock.
 */
export function simBoard(
  ctx: SimContext,
  owner: Owner,
  config: WorkspaceConfig,
  meta: Meta | null,
): BoardClient {
  const stored = meta?.get("project_schema") ?? null;
  const schema = stored === null ? undefined : ProjectSchema.safeParse(JSON.parse(stored));
  return new BoardClient({
    config,
    auth: { token: "sim-token" },
    apiUrl: ctx.emulatorUrl,
    fetch: ctx.scheduler.fetchFor(owner),
    sleep: ctx.scheduler.sleep(owner),
    now: () => ctx.scheduler.now,
    ...(meta === null
      ? {}
      : {
          onBudget: (snapshot) => meta.set("budget", JSON.stringify(snapshot)),
          onSchema: (read) => meta.set("project_schema", JSON.stringify(read)),
        }),
    ...(schema?.success === true ? { schema: schema.data } : {}),
  });
}
