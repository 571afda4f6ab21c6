/**
 * The dashboard in a real browser (Debian's Chromium, playwright-core) against local mode, at
 * desktop and phone widths: signing in, the lock map of the sample board, a conflict naming
 * its holder, an item in one repo becoming runnable the moment its blocker in another repo
 * closes (issue 7, no reload, no reconcile), the banner when the Worker stops, and the
 * Worker's own message when its config is invalid.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_SECRETS, startLocalMode, type LocalMode } from "../../scripts/dev.ts";
import { freePort, stopChild, waitFor } from "../../scripts/local-mode/child-processes.ts";
import {
  BACKEND,
  banner,
  DESKTOP,
  fitsWidth,
  INTERFACE,
  itemRow,
  launchChromium,
  noChromium,
  openPage,
  PHONE,
  repoRegion,
  SAMPLE_REPOS,
  SHOWS,
  signIn,
  tableOf,
} from "./dashboard-support.ts";
import { closeIssue, setBoardField } from "./support.ts";

const persistTo = `.wrangler/test-dashboard-${process.pid}`;
let mode: LocalMode;
let browser: Browser;
let closeBrowser: (() => Promise<void>) | undefined;
const contexts: BrowserContext[] = [];

async function open(viewport: typeof DESKTOP | typeof PHONE): Promise<Page> {
  const { page, context } = await openPage(browser, viewport);
  contexts.push(context);
  return page;
}

beforeAll(async () => {
  if (noChromium) return;
  mode = await startLocalMode({ port: 0, persistTo });
  ({ browser, close: closeBrowser } = await launchChromium());
}, 180_000);

afterAll(async () => {
  await closeBrowser?.();
  await mode?.stop();
  await rm(persistTo, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

describe("the dashboard in Chromium", () => {
  for (const viewport of [DESKTOP, PHONE]) {
    it(`asks for the admin token, then shows every repo, #42 held by alice's claim with its PR, and the budget (${viewport.name})`, async () => {
      if (noChromium) throw noChromium;
      const page = await open(viewport);
      await signIn(page, mode.workerUrl);
      for (const repo of SAMPLE_REPOS) {
        await page.getByRole("heading", { name: repo, exact: true }).waitFor({ timeout: SHOWS });
      }
      await page.getByLabel("Admin token").waitFor({ state: "hidden", timeout: 5_000 });
      await expect.poll(() => banner(page).innerText(), { timeout: SHOWS }).toContain("Live");

      const held = itemRow(tableOf(repoRegion(page, BACKEND), "Lock map"), "#42");
      const text = await held.innerText({ timeout: SHOWS });
      expect(text).toContain("gateway");
      expect(text).toContain("Gateway: rate-limit the public API");
      expect(text).toContain("a person's claim: alice");
      expect(await held.locator("a.item").getAttribute("href")).toBe(
        `https://github.com/${BACKEND}/issues/42`,
      );

      // Its pull request on the board (#80 closes #42) is linked too.
      const pr = held.getByRole("link", { name: "pull request #80" });
      expect(await pr.getAttribute("href")).toBe(`https://github.com/${BACKEND}/pull/80`);

      const budget = page.getByRole("region", { name: "GitHub budget" });
      expect(await budget.innerText()).toMatch(/[\d,]+ of 5,000 points left/);
      expect(await budget.innerText()).toContain("list items");
      expect(await fitsWidth(page)).toBe(true);
    });
  }

  it("says a wrong token is refused and asks for it again", async () => {
    if (noChromium) throw noChromium;
    const page = await open(DESKTOP);
    await signIn(page, mode.workerUrl, "not-the-admin-token");
    await page.getByText("Token refused.", { exact: true }).waitFor({ timeout: SHOWS });
    await page.getByLabel("Admin token").waitFor({ timeout: 1_000 });
    expect(await page.getByRole("heading", { name: BACKEND }).count()).toBe(0);
    await page.reload({ timeout: 15_000 });
    await page.getByLabel("Admin token").waitFor({ timeout: 5_000 });
  });

  it("shows a Ready item's lock conflict with its holder named and linked (phone)", async () => {
    if (noChromium) throw noChromium;
    const page = await open(PHONE);
    await signIn(page, mode.workerUrl);
    const queue = tableOf(repoRegion(page, BACKEND), "Queue");
    await queue.waitFor({ timeout: SHOWS });

    // #64 (gateway) overlaps #42, which alice holds on the sample board.
    await setBoardField(mode, `${BACKEND}#64`, "Status", "Ready");

    const row = itemRow(queue, "#64");
    await expect.poll(() => row.innerText().catch(() => ""), { timeout: SHOWS }).toContain("Lock conflict");
    const text = await row.innerText();
    expect(text).toContain("Issue #42 currently holds overlapping lock key(s).");
    expect(text).toContain("Held by #42 Gateway: rate-limit the public API — a person's claim: alice.");
    const holder = row.getByRole("link", { name: "#42 Gateway: rate-limit the public API" });
    expect(await holder.getAttribute("href")).toBe("#lock-phoenix-agentic-Phoenix-Agentic-Engine-Backend-42");
    expect(await fitsWidth(page)).toBe(true);
  });

  it("shows Interface#5 runnable the moment Backend#57 closes, at both widths, with no reload and no reconcile", async () => {
    if (noChromium) throw noChromium;
    const pages = [await open(DESKTOP), await open(PHONE)];
    const asked: string[] = [];
    let loads = 0;
    for (const page of pages) {
      await signIn(page, mode.workerUrl);
      page.on("request", (request) => asked.push(new URL(request.url()).pathname));
      page.on("load", () => (loads += 1));
      const row = itemRow(tableOf(repoRegion(page, INTERFACE), "Queue"), "#5");
      await expect
        .poll(() => row.innerText().catch(() => ""), { timeout: SHOWS })
        .toContain("Waiting on a dependency");
      const dependency = row.getByRole("link", { name: `${BACKEND}#57` });
      expect(await dependency.getAttribute("href")).toBe(`https://github.com/${BACKEND}/issues/57`);
      await expect.poll(() => banner(page).innerText(), { timeout: SHOWS }).toContain("Live");
    }

    await closeIssue(mode, `${BACKEND}#57`);

    for (const page of pages) {
      const row = itemRow(tableOf(repoRegion(page, INTERFACE), "Queue"), "#5");
      await expect.poll(() => row.innerText(), { timeout: SHOWS }).toContain("Runnable");
    }
    expect(loads).toBe(0);
    expect(asked).not.toContain("/api/reconcile");
    expect(asked.filter((path) => path === "/api/state").length).toBeGreaterThan(0);
  });

  it("says the Worker is unreachable when it stops", async () => {
    if (noChromium) throw noChromium;
    const page = await open(DESKTOP);
    await signIn(page, mode.workerUrl);
    await expect.poll(() => banner(page).innerText(), { timeout: SHOWS }).toContain("Live");

    await mode.stop();

    await expect.poll(() => banner(page).innerText(), { timeout: SHOWS }).toContain("Worker unreachable");
    // What it showed stays on the page, marked as possibly out of date.
    expect(await page.getByRole("heading", { name: BACKEND, exact: true }).count()).toBe(1);
  });
});

describe("the dashboard of a Worker whose config is invalid", () => {
  it("shows the Worker's own message instead of a blank page (phone)", async () => {
    if (noChromium) throw noChromium;
    const state = await mkdtemp(join(tmpdir(), "wf-dashboard-bad-config-"));
    const port = await freePort();
    const badConfig = JSON.stringify({
      workspace: "phoenix",
      project: { org: "phoenix-agentic", number: 1 },
      repos: [{ name: "not-a-repo" }],
    });
    const wrangler = spawn(
      "wrangler",
      [
        "dev",
        ...["--ip", "127.0.0.1", "--port", String(port)],
        "--show-interactive-dev-session=false",
        ...["--persist-to", state],
        ...["--var", `ADMIN_TOKEN:${LOCAL_SECRETS.ADMIN_TOKEN}`, "--var", `WORKSPACE_CONFIG:${badConfig}`],
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
    );
    try {
      await waitFor(wrangler, { ready: /Ready on (http:\/\/\S+)/, failed: /✘ \[ERROR\]/ }, () => undefined);
      const page = await open(PHONE);
      await signIn(page, `http://127.0.0.1:${port}/`);
      const alert = page.getByRole("alert");
      await expect
        .poll(() => alert.innerText().catch(() => ""), { timeout: SHOWS })
        .toContain("The Worker cannot serve the workspace (503): ");
      expect(await alert.innerText()).toContain("repos.0.name");
      await expect
        .poll(() => banner(page).innerText(), { timeout: SHOWS })
        .toContain("Not live: the Worker refused");
    } finally {
      await stopChild(wrangler);
      await rm(state, { recursive: true, force: true });
    }
  }, 120_000);
});
