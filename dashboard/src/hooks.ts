/** Preact hooks of the page: the store in context, its view, and a clock that ticks each second. */
import { createContext } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import type { DashboardStore, View } from "./dashboard-store.ts";

export const StoreContext = createContext<DashboardStore | null>(null);

export function useStore(): DashboardStore {
  const store = useContext(StoreContext);
  if (store === null) throw new Error("the dashboard store is missing from the context");
  return store;
}

export function useView(store: DashboardStore): View {
  const [view, setView] = useState(store.view);
  useEffect(() => {
    setView(store.view);
    return store.subscribe(() => setView(store.view));
  }, [store]);
  return view;
}

/** The time now, re-rendering each second: elapsed times and countdowns stay true. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
