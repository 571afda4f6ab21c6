/**
 * A local agent for the bench that speaks the real protocol over a real WebSocket but runs
 * no CLI: it acknowledges each dispatch, reports it started, and finishes a run when told.
 * Records when each dispatch frame arrived, for the event → dispatch latency.
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import WebSocket from "ws";
import { Dispatch, ServerMessage } from "../worker/protocol/messages.ts";

export interface Dispatched {
  runId: string;
  fence: number;
  /** The run's capability: every frame about the run proves it. */
  runSecret: string | undefined;
  number: number;
  at: number;
}

export class FakeAgent {
  readonly dispatched: Dispatched[] = [];
  readonly #socket: WebSocket;
  readonly #live = new Map<string, Dispatched>();
  readonly #waiters: Array<(dispatch: Dispatched) => void> = [];
  readonly #replies = new Map<string, () => void>();

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on("message", (data) => this.#receive(String(data)));
  }

  static async connect(workerUrl: string, repo: string, token: string, capacity: number): Promise<FakeAgent> {
    const url = `${workerUrl.replace(/^http/, "ws")}/agents/connect?repo=${encodeURIComponent(repo)}`;
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    await once(socket, "open");
    const agent = new FakeAgent(socket);
    socket.send(JSON.stringify({ type: "hello", v: 1, agentId: `bench-${repo}`, capacity, runs: [] }));
    return agent;
  }

  get live(): Dispatched[] {
    return [...this.#live.values()];
  }

  /** Resolves with the first dispatch of issue `number` that arrived at or after `since`. */
  dispatchOf(number: number, since: number): Promise<Dispatched> {
    const matches = (dispatch: Dispatched): boolean => dispatch.number === number && dispatch.at >= since;
    const found = this.dispatched.find(matches);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const waiter = (dispatch: Dispatched): void => {
        if (!matches(dispatch)) return;
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        resolve(dispatch);
      };
      this.#waiters.push(waiter);
    });
  }

  /**
   * Reports a run succeeded, as a daemon whose agent committed would; resolves when the
   * RepoQueue has answered, i.e. once the run is settled and its lock released.
   */
  finish(runId: string): Promise<void> {
    const run = this.#live.get(runId);
    if (!run) throw new Error(`no live run ${runId}`);
    this.#live.delete(runId);
    const id = randomUUID();
    const answered = new Promise<void>((resolve) => this.#replies.set(id, resolve));
    this.#socket.send(
      JSON.stringify({
        type: "run_finished",
        id,
        runId,
        fence: run.fence,
        runSecret: run.runSecret,
        outcome: "succeeded",
        reason: "bench run",
        exitCode: 0,
        branch: `subfeature/task/${run.number}-bench`,
        commits: ["0000000"],
        prUrl: null,
      }),
    );
    return answered;
  }

  close(): void {
    this.#socket.close(1000);
  }

  #receive(text: string): void {
    const frame = ServerMessage.safeParse(JSON.parse(text));
    if (frame.success && frame.data.type === "reply") {
      this.#replies.get(frame.data.id)?.();
      this.#replies.delete(frame.data.id);
      return;
    }
    if (!frame.success || frame.data.type !== "dispatch") return;
    const dispatch = Dispatch.parse(frame.data);
    const record: Dispatched = {
      runId: dispatch.runId,
      fence: dispatch.fence,
      runSecret: dispatch.runSecret,
      number: dispatch.args.issueNumber,
      at: performance.now(),
    };
    this.#socket.send(JSON.stringify({ type: "ack", id: dispatch.id }));
    this.#socket.send(
      JSON.stringify({
        type: "run_started",
        id: randomUUID(),
        runId: dispatch.runId,
        fence: dispatch.fence,
        runSecret: dispatch.runSecret,
        branch: `subfeature/task/${record.number}-bench`,
        worktree: "/tmp/bench",
      }),
    );
    this.dispatched.push(record);
    this.#live.set(record.runId, record);
    for (const waiter of [...this.#waiters]) waiter(record);
  }
}
