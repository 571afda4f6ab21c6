/**
 * The RepoQueue's nudge to the supervisor: the first request goes at once, a burst while one
 * is on its way costs one more call, and a failed call is logged, never thrown.
 */
import { describe, expect, it } from "vitest";
import { LiveNudge } from "../../worker/queue/live-nudge.ts";

function harness(send: () => Promise<unknown>) {
  const work: Promise<unknown>[] = [];
  const logged: string[] = [];
  const nudge = new LiveNudge({
    send,
    waitUntil: (promise) => work.push(promise),
    log: (event) => logged.push(event),
    gapMs: 10,
  });
  return { nudge, logged, settled: () => Promise.all(work) };
}

describe("LiveNudge", () => {
  it("sends the first request at once", async () => {
    let sent = 0;
    const { nudge, settled } = harness(async () => (sent += 1));
    nudge.request();
    expect(sent).toBe(1);
    await settled();
    expect(sent).toBe(1);
  });

  it("coalesces a burst during a send into one more call", async () => {
    let sent = 0;
    let release: () => void = () => undefined;
    const { nudge, settled } = harness(() => {
      sent += 1;
      return sent === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
    });
    nudge.request();
    for (let i = 0; i < 10; i += 1) nudge.request();
    release();
    await settled();
    expect(sent).toBe(2);
    nudge.request();
    await settled();
    expect(sent).toBe(3);
  });

  it("logs a failed call and keeps nudging", async () => {
    let calls = 0;
    const { nudge, logged, settled } = harness(async () => {
      calls += 1;
      if (calls === 1) throw new Error("supervisor unavailable");
    });
    nudge.request();
    await settled();
    nudge.request();
    await settled();
    expect([calls, logged]).toEqual([2, ["live_nudge_failed"]]);
  });
});
