/**
 * The simulation's time and concurrency: a virtual clock that only the main loop moves, timed
 * events in (time, sequence) order, and the gate every outgoing GitHub request of the cores
 * and agents waits at. `settle` runs all pending work of a step: it lets the microtasks run,
 * releases one gated request at a time (seeded choice among those waiting), and returns once
 * nothing is left but work waiting for virtual time. Owners (a core's or an agent process's
 * life) let a restart drop what the dead one was waiting for.
 */
import type { Prng } from "./prng.ts";

/** One life of a Durable Object or agent process; its timers and requests die with it. */
export class Owner {
  alive = true;
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}

interface Timer {
  at: number;
  seq: number;
  owner: Owner | null;
  label: string;
  fire: () => void | Promise<void>;
}

interface GatedRequest {
  seq: number;
  owner: Owner;
  url: string;
  init: RequestInit | undefined;
  resolve: (response: Response) => void;
  reject: (error: unknown) => void;
}

export class Scheduler {
  now: number;
  #timers: Timer[] = [];
  #requests: GatedRequest[] = [];
  #seq = 0;
  readonly #pick: Prng;
  /** Runs after every released request (the emulator's webhooks flushed to the receiver). */
  afterRequest: () => Promise<void> = async () => {};
  /** Called with each request's URL and status, for the event log. */
  onRequest: (owner: Owner, url: string, status: number) => void = () => {};
  requestsReleased = 0;

  constructor(start: number, pick: Prng) {
    this.now = start;
    this.#pick = pick;
  }

  /** Fires `fire` at virtual time `at` (never in the past), unless its owner died by then. */
  at(at: number, label: string, fire: () => void | Promise<void>, owner: Owner | null = null): void {
    const timer: Timer = { at: Math.max(at, this.now), seq: this.#seq++, owner, label, fire };
    let index = this.#timers.length;
    while (index > 0 && compare(this.#timers[index - 1] as Timer, timer) > 0) index -= 1;
    this.#timers.splice(index, 0, timer);
  }

  after(ms: number, label: string, fire: () => void | Promise<void>, owner: Owner | null = null): void {
    this.at(this.now + ms, label, fire, owner);
  }

  /** A virtual sleep for `owner` (the board client's backoff). */
  sleep(owner: Owner): (ms: number) => Promise<void> {
    return (ms) => new Promise((resolve) => this.after(ms, `sleep ${owner.name}`, resolve, owner));
  }

  /** The time of the next live timer, or null. */
  nextAt(): number | null {
    this.#timers = this.#timers.filter((timer) => timer.owner === null || timer.owner.alive);
    return this.#timers[0]?.at ?? null;
  }

  /**
   * Moves the clock to the next live timer and fires it; returns its label, or null when none
   * is left. A simulation action (a person's edit, a fault) returns a promise, awaited here:
   * it talks to the emulator directly, never through the gate.
   */
  async fireNext(): Promise<string | null> {
    const at = this.nextAt();
    const timer = this.#timers.shift();
    if (at === null || timer === undefined) return null;
    this.now = at;
    await timer.fire();
    return timer.label;
  }

  /** A `fetch` whose requests wait at the gate until `settle` releases them. */
  fetchFor(owner: Owner): typeof fetch {
    return (input, init) =>
      new Promise<Response>((resolve, reject) => {
        const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
        this.#requests.push({ seq: this.#seq++, owner, url, init, resolve, reject });
      });
  }

  /** Requests of a dead owner: dropped unsent, or sent with the answer lost (as at an eviction). */
  async dropRequestsOf(owner: Owner, sendSome: Prng): Promise<number> {
    const mine = this.#requests.filter((request) => request.owner === owner);
    this.#requests = this.#requests.filter((request) => request.owner !== owner);
    let sent = 0;
    for (const request of mine) {
      if (!sendSome.chance(0.5)) continue;
      sent += 1;
      await this.#send(request);
    }
    return sent;
  }

  /** Runs everything that can run now; returns when only timed work is left. */
  async settle(): Promise<void> {
    for (;;) {
      await drainMicrotasks();
      this.#requests = this.#requests.filter((request) => request.owner.alive);
      if (this.#requests.length === 0) {
        await this.afterRequest();
        await drainMicrotasks();
        if (this.#requests.length === 0) return;
        continue;
      }
      const index = this.#requests.length === 1 ? 0 : this.#pick.int(0, this.#requests.length - 1);
      const [request] = this.#requests.splice(index, 1);
      if (request === undefined) continue;
      const response = await this.#send(request);
      if (response !== null && request.owner.alive) request.resolve(response);
      else if (response === null && request.owner.alive) request.reject(new TypeError("fetch failed"));
    }
  }

  async #send(request: GatedRequest): Promise<Response | null> {
    this.requestsReleased += 1;
    try {
      const real = await fetch(request.url, request.init);
      const body = await real.text();
      this.onRequest(request.owner, request.url, real.status);
      await this.afterRequest();
      return new Response(real.status === 204 ? null : body, {
        status: real.status,
        statusText: real.statusText,
        headers: real.headers,
      });
    } catch (error) {
      this.onRequest(request.owner, request.url, 0);
      void error;
      return null;
    }
  }
}

function compare(a: Timer, b: Timer): number {
  return a.at - b.at || a.seq - b.seq;
}

/** Lets every queued microtask (and anything they queue) run: two turns of the event loop. */
async function drainMicrotasks(): Promise<void> {
  for (let turn = 0; turn < 3; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}
