/**
 * The simulation's event log: every step, fault, delivery, frame, board edit and core log
 * line, in order, with the virtual time. The invariant checker reads it whole; its hash shows
 * that one seed always gives the same run.
 */
import { createHash } from "node:crypto";

export type LogEntry = { t: number; kind: string } & Record<string, unknown>;

export class EventLog {
  readonly entries: LogEntry[] = [];
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  add(kind: string, fields: Record<string, unknown> = {}): LogEntry {
    const entry: LogEntry = { t: this.#now(), kind, ...fields };
    this.entries.push(entry);
    return entry;
  }

  /** A core's JSON log line, kept as an entry of kind `core` with its fields. */
  core(source: string, line: string): LogEntry {
    let fields: Record<string, unknown> = { text: line };
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
        fields = { ...(parsed as Record<string, unknown>) };
    } catch {
      // not JSON: kept as text
    }
    return this.add("core", { source, ...fields });
  }

  count(kind: string): number {
    return this.entries.filter((entry) => entry.kind === kind).length;
  }

  /** SHA-256 over the whole log: equal for two runs of one seed. */
  hash(): string {
    const hash = createHash("sha256");
    for (const entry of this.entries) hash.update(`${JSON.stringify(entry)}\n`);
    return hash.digest("hex");
  }

  /** The last `n` entries as text, for a failure report. */
  tail(n: number): string {
    return this.entries
      .slice(-n)
      .map((entry) => JSON.stringify(entry))
      .join("\n");
  }
}
