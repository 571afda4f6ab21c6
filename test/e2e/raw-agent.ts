/**
 * A local agent reduced to the protocol, for end-to-end tests that drive the Worker from the
 * outside: a real WebSocket to `/agents/connect`, hello, and the frames a daemon would send
 * for a dispatched run (ack, run_started, steer_applied, run_finished), every server frame kept.
 */
import { once } from "node:events";
import { expect } from "vitest";
import WebSocket from "ws";
import { ServerMessage } from "../../worker/protocol/messages.ts";
import type { LocalMode } from "../../scripts/dev.ts";
import { agentToken } from "./support.ts";

type Dispatch = Extract<ServerMessage, { type: "dispatch" }>;
type Steer = Extract<ServerMessage, { type: "steer" }>;

export class RawAgent {
  readonly frames: ServerMessage[] = [];
  readonly #socket: WebSocket;
  #sent = 0;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on("message", (data) => this.frames.push(ServerMessage.parse(JSON.parse(String(data)))));
  }

  static async connect(mode: LocalMode, repo: string, agentId: string): Promise<RawAgent> {
    const socket = new WebSocket(`${mode.workerUrl.replace("http", "ws")}/agents/connect?repo=${repo}`, {
      headers: { authorization: `Bearer ${await agentToken(mode, repo)}` },
    });
    const agent = new RawAgent(socket);
    await once(socket, "open");
    agent.send({ type: "hello", v: 1, agentId, capacity: 1, runs: [] });
    return agent;
  }

  send(frame: Record<string, unknown>): void {
    this.#socket.send(JSON.stringify(frame));
  }

  dispatches(): Dispatch[] {
    return this.frames.filter((frame): frame is Dispatch => frame.type === "dispatch");
  }

  steers(): Steer[] {
    return this.frames.filter((frame): frame is Steer => frame.type === "steer");
  }

  /** Waits for the `count`th dispatch, acknowledges it and starts its run on `branch`. */
  async startRun(count: number, branch: string): Promise<Dispatch> {
    await expect.poll(() => this.dispatches().length, { timeout: 30_000 }).toBeGreaterThanOrEqual(count);
    const dispatch = this.dispatches()[count - 1];
    if (dispatch === undefined) throw new Error(`no dispatch #${count}`);
    this.send({ type: "ack", id: dispatch.id });
    this.send({
      type: "run_started",
      id: this.#id(),
      runId: dispatch.runId,
      fence: dispatch.fence,
      runSecret: dispatch.runSecret,
      branch,
      worktree: "/tmp/wt",
    });
    return dispatch;
  }

  finishRun(dispatch: Dispatch, outcome: "failed" | "stopped", reason: string): void {
    this.send({
      type: "run_finished",
      id: this.#id(),
      runId: dispatch.runId,
      fence: dispatch.fence,
      runSecret: dispatch.runSecret,
      outcome,
      reason,
      exitCode: outcome === "failed" ? 1 : null,
      branch: null,
      commits: [],
      prUrl: null,
    });
  }

  close(): void {
    this.#socket.close(1000);
  }

  #id(): string {
    this.#sent += 1;
    return `raw-agent-${process.pid}-${this.#sent}`;
  }
}
