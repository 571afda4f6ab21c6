/**
 * The daemon's durable memory in `<runFolder>/daemon-state.json`: ids of server frames already
 * applied, the outbox of state-changing frames not yet answered, the runs in flight, and each
 * run's capability (its fence and secret). A restart reloads it, so a re-sent dispatch is never
 * run twice, no report is lost, and reports after a restart still prove their run. Written
 * atomically (temp file + rename), readable by the owner only. Used by connect.ts and daemon.ts.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import {
  Heartbeat,
  RunFinished,
  RunId,
  RunSecret,
  RunStarted,
  ScopeRequest,
  SteerApplied,
} from "../worker/protocol/messages.ts";
import type { Logger } from "./logger.ts";

export const OutboxFrame = z.discriminatedUnion("type", [
  RunStarted,
  Heartbeat,
  RunFinished,
  SteerApplied,
  ScopeRequest,
]);
export type OutboxFrame = z.infer<typeof OutboxFrame>;

export const PersistedRun = z.object({
  runId: z.string(),
  fence: z.number().int().nonnegative(),
  baseBranch: z.string(),
  branch: z.string().nullable(),
  worktree: z.string().nullable(),
});
export type PersistedRun = z.infer<typeof PersistedRun>;

/** What lets this daemon, and only it, act on a run: the dispatch's fence and secret. */
export const Capability = z.object({
  runId: RunId,
  fence: z.number().int().nonnegative(),
  runSecret: RunSecret,
});
export type Capability = z.infer<typeof Capability>;

const StateFile = z.object({
  v: z.literal(1),
  applied: z.array(z.string()),
  outbox: z.array(OutboxFrame),
  runs: z.array(PersistedRun),
  // Absent from files written before run capabilities.
  capabilities: z.array(Capability).default([]),
});
type StateFile = z.infer<typeof StateFile>;

const MAX_APPLIED = 2000;
const MAX_OUTBOX = 1000;
/** Kept past a run's end, so a late report (a steer answered after the finish) still proves it. */
const MAX_CAPABILITIES = 256;
const empty = (): StateFile => ({ v: 1, applied: [], outbox: [], runs: [], capabilities: [] });

export class StateStore {
  readonly file: string;
  private readonly logger: Logger;
  private state: StateFile;
  private readonly applied: Set<string>;

  constructor(runFolder: string, logger: Logger) {
    this.file = path.join(runFolder, "daemon-state.json");
    this.logger = logger;
    mkdirSync(runFolder, { recursive: true });
    this.state = this.load();
    this.applied = new Set(this.state.applied);
  }

  private load(): StateFile {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return empty();
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      raw = null;
    }
    const parsed = StateFile.safeParse(raw);
    if (parsed.success) return parsed.data;
    const aside = `${this.file}.corrupt-${Date.now()}`;
    renameSync(this.file, aside);
    this.logger.error("state_file_unreadable", { file: this.file, movedTo: aside });
    return empty();
  }

  private save(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    // It holds run secrets: only the daemon's user may read it.
    writeFileSync(tmp, JSON.stringify(this.state), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  isApplied(id: string): boolean {
    return this.applied.has(id);
  }

  markApplied(id: string): void {
    if (this.applied.has(id)) return;
    this.applied.add(id);
    this.state.applied.push(id);
    while (this.state.applied.length > MAX_APPLIED) {
      const dropped = this.state.applied.shift();
      if (dropped !== undefined) this.applied.delete(dropped);
    }
    this.save();
  }

  outbox(): readonly OutboxFrame[] {
    return this.state.outbox;
  }

  /** Adds a frame; a newer heartbeat replaces an unanswered older one of the same run. */
  addOutbox(frame: OutboxFrame): void {
    let outbox = this.state.outbox;
    if (frame.type === "heartbeat")
      outbox = outbox.filter((f) => !(f.type === "heartbeat" && f.runId === frame.runId));
    outbox = [...outbox, frame];
    if (outbox.length > MAX_OUTBOX) {
      const index = outbox.findIndex((f) => f.type === "heartbeat");
      const dropped = outbox.splice(index >= 0 ? index : 0, 1)[0];
      this.logger.warn("outbox_full_dropped", { id: dropped?.id, type: dropped?.type });
    }
    this.state.outbox = outbox;
    this.save();
  }

  removeOutbox(id: string): OutboxFrame | undefined {
    const frame = this.state.outbox.find((f) => f.id === id);
    if (frame === undefined) return undefined;
    this.state.outbox = this.state.outbox.filter((f) => f.id !== id);
    this.save();
    return frame;
  }

  /** Drops every unanswered frame of a run (its lease passed to someone else). */
  dropRunFrames(runId: string): void {
    this.state.outbox = this.state.outbox.filter((f) => f.runId !== runId);
    this.save();
  }

  /** Keeps a dispatched run's fence and secret (before any frame of the run is sent). */
  rememberCapability(capability: Capability): void {
    const others = this.state.capabilities.filter((c) => c.runId !== capability.runId);
    this.state.capabilities = [...others, capability].slice(-MAX_CAPABILITIES);
    this.save();
  }

  /** The secret of the run with this id and fence, if this daemon was dispatched it. */
  runSecret(runId: string, fence: number): string | undefined {
    return this.state.capabilities.find((c) => c.runId === runId && c.fence === fence)?.runSecret;
  }

  runs(): readonly PersistedRun[] {
    return this.state.runs;
  }

  putRun(run: PersistedRun): void {
    this.state.runs = [...this.state.runs.filter((r) => r.runId !== run.runId), run];
    this.save();
  }

  removeRun(runId: string): void {
    this.state.runs = this.state.runs.filter((r) => r.runId !== runId);
    this.save();
  }
}
