/**
 * Shared set-up of the dashboard's browser tests: Debian's Chromium driven by playwright-core
 * (one browser per file, a fresh context per test so no test inherits a stored token), the two
 * widths a person uses, signing in, and the parts of the page a person looks at.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { LOCAL_SECRETS } from "../../scripts/dev.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const DESKTOP = { name: "desktop", width: 1280, height: 800 } as const;
export const PHONE = { name: "phone", width: 390, height: 844 } as const;
export type Viewport = typeof DESKTOP | typeof PHONE;

export const BACKEND = "phoenix-agentic/Phoenix-Agentic-Engine-Backend";
export const INTERFACE = "phoenix-agentic/Phoenix-Agentic-Engine-Interface";
export const FRONTEND = "phoenix-agentic/Phoenix-Agentic-Website-Frontend";
export const SAMPLE_REPOS = [
  "phoenix-agentic/Phoenix-Agentic-Engine",
  BACKEND,
  INTERFACE,
  FRONTEND,
  "phoenix-agentic/Phoenix-Agentic-Website-Backend",
];

/** How long a change may take to show: a webhook, a pass, a nudge, a read — well under this. */
export const SHOWS = 20_000;

// Without the browser every test fails with this, rather than being skipped.
export const noChromium = existsSync(CHROMIUM)
  ? null
  : new Error(
      `No Chromium at ${CHROMIUM}: this test drives Debian's Chromium. Install it with ` +
        "`apt-get install -y chromium` (npm test does so when it is missing and you are root).",
    );

export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), "wf-dashboard-chromium-"));
  const persistent: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const browser = persistent.browser();
  if (browser === null) throw new Error("playwright-core gave no Browser for the Chromium it launched");
  return {
    browser,
    close: async () => {
      await persistent.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export async function openPage(
  browser: Browser,
  viewport: Viewport,
): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
  return { page: await context.newPage(), context };
}

export async function signIn(
  page: Page,
  url: string,
  token: string = LOCAL_SECRETS.ADMIN_TOKEN,
): Promise<void> {
  await page.goto(url, { timeout: 15_000 });
  await page.getByLabel("Admin token").fill(token, { timeout: 10_000 });
  await page.getByRole("button", { name: "Sign in" }).click({ timeout: 5_000 });
}

/** A repo's part of the board view. */
export const repoRegion = (page: Page, repo: string): Locator =>
  page.getByRole("region", { name: repo, exact: true });

/** A table of a region by its caption ("Lock map", "Runs", "Queue"). */
export const tableOf = (region: Locator, caption: string): Locator =>
  region.locator("table").filter({ has: region.page().locator("caption", { hasText: caption }) });

/** The row of an item (`#42`) in a table. */
export const itemRow = (table: Locator, ref: string): Locator =>
  table
    .locator("tbody tr")
    .filter({ has: table.page().locator("a.item .ref", { hasText: new RegExp(`^${ref}$`) }) });

export const banner = (page: Page): Locator => page.locator("#connection");

/** The page is as wide as the screen: nothing to scroll sideways to reach. */
export async function fitsWidth(page: Page): Promise<boolean> {
  // A string, evaluated in the page: this file is type-checked for Node, without the DOM.
  return page.evaluate<boolean>("document.documentElement.scrollWidth <= window.innerWidth");
}
