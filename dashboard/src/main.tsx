/** The dashboard's entry point, bundled into dashboard/dist/app.js: one store, one app. */
import { render } from "preact";
import { App } from "./app.tsx";
import { DashboardStore } from "./dashboard-store.ts";

const root = document.getElementById("app");
if (root === null) throw new Error("the page has no #app element");
root.replaceChildren();
render(<App store={new DashboardStore()} />, root);
