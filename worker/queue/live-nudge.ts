/**
 * A RepoQueue's nudge to the supervisor that what the dashboard shows changed (a pass, a run
 * frame, an agent gone). The first request goes at once; requests while one is on its way, or
 * within `gapMs` after it, are coalesced into one more, so a burst costs two calls at most.
 * An in-memory cache of nothing durable: a page re-reads the whole state when it reconnects.
 */
export interface NudgeDeps {
  send: () => Promise<unknown>;
  waitUntil: (work: Promise<unknown>) => void;
  log: (event: string, fields: Record<string, unknown>) => void;
  gapMs?: number;
}

export class LiveNudge {
  readonly #d: NudgeDeps;
  #busy = false;
  #again = false;

  constructor(deps: NudgeDeps) {
    this.#d = deps;
  }

  request(): void {
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#busy = true;
    this.#d.waitUntil(this.#run());
  }

  async #run(): Promise<void> {
    try {
      do {
        this.#again = false;
        try {
          await this.#d.send();
        } catch (error) {
          this.#d.log("live_nudge_failed", {
            message: error instanceof Error ? error.message : String(error),
          });
        }
        if (this.#again) await new Promise((resolve) => setTimeout(resolve, this.#d.gapMs ?? 250));
      } while (this.#again);
    } finally {
      this.#busy = false;
    }
  }
}
