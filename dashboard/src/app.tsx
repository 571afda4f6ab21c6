/**
 * The traffic controller's page: sign in, then the connection banner, the budget, the QA
 * sequence and each repo (lock map, runs, queue, stale claims) on the board view; deliveries
 * and the operator log on their own views (`#deliveries`, `#log`). Live: the store re-reads
 * the state whenever the supervisor says something changed.
 */
import { useEffect, useState } from "preact/hooks";
import type { ApiFailure } from "./api-client.ts";
import { BudgetPanel } from "./budget-panel.tsx";
import { ConnectionBanner } from "./connection-banner.tsx";
import type { DashboardStore } from "./dashboard-store.ts";
import { DeliveriesView } from "./deliveries-view.tsx";
import { StoreContext, useView } from "./hooks.ts";
import { LoginForm } from "./login-form.tsx";
import { OperatorLog } from "./operator-log.tsx";
import { QaPanel } from "./qa-panel.tsx";
import { RepoSection } from "./repo-section.tsx";

type Route = "board" | "deliveries" | "log";

const routeOf = (hash: string): Route =>
  hash === "#deliveries" ? "deliveries" : hash === "#log" ? "log" : "board";

function useRoute(): Route {
  const [route, setRoute] = useState(routeOf(location.hash));
  useEffect(() => {
    const onHash = (): void => setRoute(routeOf(location.hash));
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  return route;
}

function failureWords(failure: ApiFailure): string {
  if (failure.kind === "unreachable") return `The Worker could not be reached: ${failure.message}.`;
  if (failure.kind === "unauthorized") return failure.message;
  if (failure.status === 503) return `The Worker cannot serve the workspace (503): ${failure.message}`;
  return `The Worker answered ${failure.status}: ${failure.message}`;
}

export function App(props: { store: DashboardStore }) {
  const { store } = props;
  const view = useView(store);
  const route = useRoute();
  if (!view.signedIn) {
    return (
      <main>
        <header class="top">
          <h1>Worker Factory</h1>
        </header>
        <LoginForm message={view.loginMessage} onSignIn={(token) => store.signIn(token)} />
      </main>
    );
  }
  const { state } = view;
  const link = (to: Route, label: string, hash: string) => (
    <a href={hash} aria-current={route === to ? "page" : undefined}>
      {label}
    </a>
  );
  return (
    <StoreContext.Provider value={store}>
      <main>
        <header class="top">
          <h1>Worker Factory</h1>
          {state ? (
            <span class="muted">
              {state.workspace} · {state.project.org} project {state.project.number}
            </span>
          ) : null}
          <nav aria-label="Views">
            {link("board", "Board", "#")}
            {link("deliveries", "Deliveries", "#deliveries")}
            {link("log", "Operator log", "#log")}
          </nav>
          <div class="actions">
            <button
              type="button"
              onClick={() => void store.act("Pause all", "/api/pause", { all: true, paused: true })}
            >
              Pause all
            </button>
            <button
              type="button"
              onClick={() => void store.act("Resume all", "/api/pause", { all: true, paused: false })}
            >
              Resume all
            </button>
            <button type="button" class="quiet" onClick={() => store.signOut()}>
              Sign out
            </button>
          </div>
        </header>
        <ConnectionBanner live={view.live} readAt={view.readAt} />
        {view.notices.length > 0 ? (
          <ul class="notices" aria-label="Notices">
            {view.notices.map((notice) => (
              <li key={notice.id} class={`notice tone-${notice.tone === "ok" ? "good" : "bad"}`}>
                {notice.text}{" "}
                <button
                  type="button"
                  class="quiet"
                  aria-label="Dismiss"
                  onClick={() => store.dismiss(notice.id)}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        {view.failure ? (
          <p class="failure" role="alert">
            {failureWords(view.failure)}
          </p>
        ) : null}
        {state === null ? (
          view.failure ? null : (
            <p class="muted">Reading the state…</p>
          )
        ) : route === "deliveries" ? (
          <DeliveriesView state={state} />
        ) : route === "log" ? (
          <OperatorLog state={state} />
        ) : (
          <>
            <div class="overview">
              <QaPanel sequence={state.qaSequence} />
              <BudgetPanel budget={state.budget} />
            </div>
            {state.repos.map((repo) => (
              <RepoSection key={repo.name} repo={repo} state={state} />
            ))}
          </>
        )}
      </main>
    </StoreContext.Provider>
  );
}
