/**
 * The emulator's log of the GraphQL requests it charged: operation name, query or mutation,
 * points, time. Tests assert on it ("this echo caused no call"), the bench totals it by kind
 * of operation. Bounded: the oldest entries go first. Exposed at `/_emulator/requests`.
 */
export interface LoggedRequest {
  at: number;
  operation: string;
  type: "query" | "mutation";
  cost: number;
}

const KEEP = 100_000;

export class RequestLog {
  #entries: LoggedRequest[] = [];

  add(entry: LoggedRequest): void {
    this.#entries.push(entry);
    if (this.#entries.length > KEEP) this.#entries.splice(0, this.#entries.length - KEEP);
  }

  /** Requests since `since` (epoch ms), oldest first. */
  list(since = 0): LoggedRequest[] {
    return this.#entries.filter((entry) => entry.at >= since);
  }

  clear(): void {
    this.#entries = [];
  }
}
