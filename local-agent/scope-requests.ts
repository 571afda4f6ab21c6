/**
 * A run's scope requests waiting for the RepoQueue: each `scope_request` frame's id is matched
 * with its `scope_reply`, or with a `reply` refusing the frame, or times out. A verdict is
 * `final` only when the RepoQueue decided (granted or refused); anything else leaves the run
 * as it was. Used by run-lifecycle.ts; daemon.ts routes the answers.
 */
export interface ScopeVerdict {
  granted: boolean;
  /** The RepoQueue decided; false when it did not answer or cannot widen scope. */
  final: boolean;
  reason: string;
  lockKeys: string[];
}

export class ScopeRequests {
  private readonly waiting = new Map<
    string,
    { resolve: (verdict: ScopeVerdict) => void; timer: NodeJS.Timeout }
  >();

  /** Resolves with the verdict for `requestId`, or a non-final one after `timeoutMs`. */
  wait(requestId: string, timeoutMs: number, onTimeout: () => void): Promise<ScopeVerdict> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        onTimeout();
        resolve({
          granted: false,
          final: false,
          reason: `the RepoQueue did not answer within ${Math.round(timeoutMs / 1000)}s`,
          lockKeys: [],
        });
      }, timeoutMs);
      this.waiting.set(requestId, { resolve, timer });
    });
  }

  /** Settles a waiting request; false when none waits (answered already, or timed out). */
  settle(requestId: string, verdict: ScopeVerdict): boolean {
    const entry = this.waiting.get(requestId);
    if (entry === undefined) return false;
    clearTimeout(entry.timer);
    this.waiting.delete(requestId);
    entry.resolve(verdict);
    return true;
  }

  /** The run is ending: every waiting request gets a non-final answer. */
  cancelAll(reason: string): void {
    for (const requestId of [...this.waiting.keys()])
      this.settle(requestId, { granted: false, final: false, reason, lockKeys: [] });
  }
}
