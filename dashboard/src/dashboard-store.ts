/**
 * The page's state and what changes it: the admin token (kept in localStorage), the last
 * `/api/state` read and its failure, the live channel's status, and the notices of actions.
 * A read is coalesced: nudges while one is in flight make exactly one more. Components
 * subscribe with `useDashboard` (app.tsx) and act through `act`.
 */
import { ApiClient, ApiError, type ApiFailure } from "./api-client.ts";
import { ActionAnswer, State } from "./api-schema.ts";
import { LiveConnection, type LiveStatus } from "./live-connection.ts";

const TOKEN_KEY = "wf-admin-token";
/** Deliveries and operator-log entries the page asks for. */
const HISTORY = 150;

export interface Notice {
  id: number;
  tone: "ok" | "error";
  text: string;
}

export interface View {
  signedIn: boolean;
  loginMessage: string | null;
  state: State | null;
  /** Why the last read failed, while it does. */
  failure: ApiFailure | null;
  readAt: number | null;
  live: LiveStatus;
  notices: Notice[];
}

export class DashboardStore {
  #view: View;
  #api: ApiClient | null = null;
  #live: LiveConnection | null = null;
  readonly #listeners = new Set<() => void>();
  #reading: Promise<void> | null = null;
  #readAgain = false;
  #noticeId = 0;

  constructor() {
    this.#view = {
      signedIn: false,
      loginMessage: null,
      state: null,
      failure: null,
      readAt: null,
      live: { kind: "connecting" },
      notices: [],
    };
    const token = localStorage.getItem(TOKEN_KEY);
    if (token) this.#start(token);
  }

  get view(): View {
    return this.#view;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  signIn(token: string): void {
    localStorage.setItem(TOKEN_KEY, token.trim());
    this.#start(token.trim());
  }

  signOut(message: string | null = null): void {
    localStorage.removeItem(TOKEN_KEY);
    this.#live?.stop();
    this.#live = null;
    this.#api = null;
    this.#set({ signedIn: false, loginMessage: message, state: null, failure: null, readAt: null });
  }

  /** Reads /api/state now, or once more after the read in flight. */
  refresh(): Promise<void> {
    if (this.#reading !== null) {
      this.#readAgain = true;
      return this.#reading;
    }
    this.#reading = (async () => {
      do {
        this.#readAgain = false;
        await this.#readOnce();
      } while (this.#readAgain && this.#api !== null);
    })().finally(() => {
      this.#reading = null;
    });
    return this.#reading;
  }

  /**
   * Runs an operator action through the API; shows what the Worker answered, in words, and
   * reads the state again. Returns whether it went through.
   */
  async act(what: string, path: string, body: unknown): Promise<boolean> {
    const api = this.#api;
    if (api === null) return false;
    try {
      const answer = await api.post(path, body, ActionAnswer);
      const said =
        answer.detail ?? answer.status ?? (answer.changed === false ? "nothing to change" : "done");
      this.#notify("ok", `${what}: ${said}`);
      void this.refresh();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.failure.kind === "unauthorized") {
        this.signOut("Token refused.");
        return false;
      }
      this.#notify("error", `${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }

  dismiss(id: number): void {
    this.#set({ notices: this.#view.notices.filter((notice) => notice.id !== id) });
  }

  #start(token: string): void {
    this.#live?.stop();
    const api = new ApiClient(token);
    this.#api = api;
    this.#set({ signedIn: true, loginMessage: null, live: { kind: "connecting" } });
    void this.refresh();
    this.#live = new LiveConnection({
      api,
      onStatus: (live) => this.#set({ live }),
      onOpen: () => void this.refresh(),
      onMessage: () => void this.refresh(),
      onUnauthorized: () => this.signOut("Token refused."),
    });
    this.#live.start();
  }

  async #readOnce(): Promise<void> {
    const api = this.#api;
    if (api === null) return;
    try {
      const state = await api.get(`/api/state?deliveries=${HISTORY}`, State);
      if (api === this.#api) this.#set({ state, failure: null, readAt: Date.now() });
    } catch (error) {
      if (api !== this.#api) return;
      if (error instanceof ApiError && error.failure.kind === "unauthorized") {
        this.signOut("Token refused.");
        return;
      }
      const failure: ApiFailure =
        error instanceof ApiError ? error.failure : { kind: "unreachable", message: String(error) };
      this.#set({ failure });
    }
  }

  #notify(tone: Notice["tone"], text: string): void {
    this.#noticeId += 1;
    const notice = { id: this.#noticeId, tone, text };
    this.#set({ notices: [notice, ...this.#view.notices].slice(0, 4) });
  }

  #set(change: Partial<View>): void {
    this.#view = { ...this.#view, ...change };
    for (const listener of this.#listeners) listener();
  }
}
