/**
 * The agents' WebSockets in the simulation: one `Link` per connection, in-order frames each
 * way with a seeded latency, lost when the link drops (a flap, a SIGKILL, a replaced or
 * closed socket). The RepoQueue side of a link is an `AgentSocket` with its attachment, as a
 * hibernatable socket keeps it across an eviction of the object.
 */
import { SOCKET_OPEN, type AgentSocket } from "../../worker/queue/agents.ts";
import type { Prng } from "./prng.ts";
import { Owner, type Scheduler } from "./scheduler.ts";

const CLOSED = 3;

export interface LinkEnds {
  /** A frame reached the RepoQueue. */
  toServer(socket: ServerSocket, text: string): void;
  /** The RepoQueue learnt that the socket closed (code as the runtime reports it). */
  serverClosed(socket: ServerSocket, code: number): void;
  /** A frame reached the agent. */
  toAgent(text: string): void;
  /** The agent learnt that its socket closed. */
  agentClosed(code: number): void;
}

export class ServerSocket implements AgentSocket {
  readyState = SOCKET_OPEN;
  #attachment: unknown = null;
  /** Sees every frame the RepoQueue sends on this socket (the event log's server side). */
  observe: (text: string) => void = () => {};

  readonly link: Link;

  constructor(link: Link) {
    this.link = link;
  }

  send(message: string): void {
    this.observe(message);
    this.link.sendToAgent(message);
  }

  close(code = 1000): void {
    this.link.drop(code, "server");
  }

  serializeAttachment(value: unknown): void {
    this.#attachment = structuredClone(value);
  }

  deserializeAttachment(): unknown {
    return this.#attachment;
  }
}

export class Link {
  readonly server: ServerSocket;
  readonly #owner: Owner;
  #toServerAt = 0;
  #toAgentAt = 0;
  framesLost = 0;
  #inFlight = 0;

  readonly id: string;
  readonly scheduler: Scheduler;
  readonly latency: Prng;
  readonly ends: LinkEnds;

  constructor(id: string, scheduler: Scheduler, latency: Prng, ends: LinkEnds) {
    this.id = id;
    this.scheduler = scheduler;
    this.latency = latency;
    this.ends = ends;
    this.#owner = new Owner(`link ${id}`);
    this.server = new ServerSocket(this);
  }

  get open(): boolean {
    return this.#owner.alive;
  }

  #deliverAt(last: number): number {
    return Math.max(last, this.scheduler.now + this.latency.int(5, 400));
  }

  sendToServer(text: string): void {
    if (!this.open) return;
    this.#toServerAt = this.#deliverAt(this.#toServerAt);
    this.#inFlight += 1;
    this.scheduler.at(
      this.#toServerAt,
      `frame to server ${this.id}`,
      () => {
        this.#inFlight -= 1;
        this.ends.toServer(this.server, text);
      },
      this.#owner,
    );
  }

  sendToAgent(text: string): void {
    if (!this.open) return;
    this.#toAgentAt = this.#deliverAt(this.#toAgentAt);
    this.#inFlight += 1;
    this.scheduler.at(
      this.#toAgentAt,
      `frame to agent ${this.id}`,
      () => {
        this.#inFlight -= 1;
        this.ends.toAgent(text);
      },
      this.#owner,
    );
  }

  /** The connection ends: frames in flight are lost; each side learns of it after a latency. */
  drop(code: number, by: "server" | "agent" | "network"): void {
    if (!this.open) return;
    this.#owner.alive = false;
    this.framesLost += this.#inFlight;
    this.server.readyState = CLOSED;
    const later = (): number => this.scheduler.now + this.latency.int(5, 200);
    if (by !== "server")
      this.scheduler.at(later(), `closed at server ${this.id}`, () =>
        this.ends.serverClosed(this.server, code),
      );
    if (by !== "agent")
      this.scheduler.at(later(), `closed at agent ${this.id}`, () => this.ends.agentClosed(code));
  }
}
