/**
 * The dashboard (`GET /`) in a real browser: Debian's Chromium driven by playwright-core, against
 * local mode (scripts/dev.ts). What a person sees: the token form, the sample board's repos, an
 * item's gate verdict after a board edit, and the webhook deliveries.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LOCAL_SECRETS, startLocalMode, type LocalMode } from "../../scripts/dev.ts";
import { setBoardField } from "./support.ts";

const CHROMIUM = "/usr/bin/chromium";
const BACKEND = "phoenix-agentic/Phoenix-Agentic-Engine-Backend";
const SAMPLE_REPOS = [
  "phoenix-agentic/Phoenix-Agentic-Engine",
  BACKEND,
  "phoenix-agentic/Phoenix-Agentic-Engine-Interface",
  "phoenix-agentic/Phoenix-Agentic-Website-Frontend",
  "phoenix-agentic/Phoenix-Agentic-Website-Backend",
];
/** The page re-reads /api/state every 5 s: a board edit shows within a few refreshes. */
const REFRESHED = 20_000;

const persistTo = `.wrangler/test-dashboard-${process.pid}`;
let mode: LocalMode;
let profile: string;
let browserContext: BrowserContext;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const setField = (issue: string, field: string, value: string | null): Promise<void> =>
  setBoardField(mode, issue, field, value);

async function signIn(token: string): Promise<void> {
  await page.goto(mode.workerUrl, { timeout: 15_000 });
  await page.getByLabel("Admin token").fill(token, { timeout: 5_000 });
  await page.getByRole("button", { name: "Show state" }).click({ timeout: 5_000 });
}

/** The item table right after a repo's heading. */
function itemsOf(repo: string): Locator {
  return page
    .getByRole("heading", { name: repo, exact: true })
    .locator("xpath=following-sibling::div[1]/table");
}

function row(table: Locator, firstCell: string): Locator {
  return table.getByRole("row").filter({ has: page.getByRole("cell", { name: firstCell, exact: true }) });
}

// Without the browser every test fails with this, rather than being skipped.
const noChromium = existsSync(CHROMIUM)
  ? null
  : new Error(
      `No Chromium at ${CHROMIUM}: this test drives Debian's Chromium. Install it with ` +
        "`apt-get install -y chromium` (.ci/run does so when it is missing).",
    );

beforeAll(async () => {
  if (noChromium) return;
  mode = await startLocalMode({ port: 0, persistTo });
  profile = await mkdtemp(join(tmpdir(), "wf-dashboard-chromium-"));
  browserContext = await chromium.launchPersistentContext(profile, {
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
  const owner = browserContext.browser();
  if (owner === null) throw new Error("playwright-core gave no Browser for the Chromium it launched");
  browser = owner;
}, 120_000);

afterAll(async () => {
  await browserContext?.close();
  await mode?.stop();
  await rm(persistTo, { recursive: true, force: true });
  if (profile) await rm(profile, { recursive: true, force: true });
});

// A fresh browser context per test: its own localStorage, so no test inherits a stored token.
beforeEach(async () => {
  if (noChromium) throw noChromium;
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});

afterEach(async () => {
  await context?.close();
});

describe("dashboard in Chromium", () => {
  it("asks for the admin token, then shows every repo of the sample board", async () => {
    await page.goto(mode.workerUrl, { timeout: 15_000 });
    await page.getByLabel("Admin token").waitFor({ timeout: 5_000 });

    await signIn(LOCAL_SECRETS.ADMIN_TOKEN);

    for (const repo of SAMPLE_REPOS) {
      await page.getByRole("heading", { name: repo, exact: true }).waitFor({ timeout: 10_000 });
    }
    await page.getByLabel("Admin token").waitFor({ state: "hidden", timeout: 5_000 });
  });

  it("shows a Ready item's lock conflict once its Status is edited on the board", async () => {
    await signIn(LOCAL_SECRETS.ADMIN_TOKEN);
    await page.getByRole("heading", { name: BACKEND, exact: true }).waitFor({ timeout: 10_000 });

    // #64 (gateway) conflicts with #42, which a person holds in the seed.
    await setField(`${BACKEND}#64`, "Status", "Ready");

    const item64 = row(itemsOf(BACKEND), "#64");
    await item64
      .getByRole("cell", {
        name: "Lock conflict: Issue #42 currently holds overlapping lock key(s).",
        exact: true,
      })
      .waitFor({ timeout: REFRESHED });
    await item64.getByRole("cell", { name: "conflict", exact: true }).waitFor({ timeout: 1_000 });
  });

  it("lists the webhook delivery a board edit produced", async () => {
    await signIn(LOCAL_SECRETS.ADMIN_TOKEN);
    await page.getByText(/(delivery|deliveries) kept$/).waitFor({ timeout: 10_000 });
    const routed = page
      .locator("#deliveries")
      .getByRole("row")
      .filter({ has: page.getByRole("cell", { name: "projects_v2_item", exact: true }) })
      .filter({ has: page.getByRole("cell", { name: "edited", exact: true }) })
      .filter({ has: page.getByRole("cell", { name: "routed", exact: true }) })
      .filter({ has: page.getByRole("cell", { name: BACKEND, exact: true }) });
    const before = await routed.count();

    await setField(`${BACKEND}#63`, "Status", "Ready");

    await routed.nth(before).waitFor({ timeout: REFRESHED });
  });

  it("says a wrong token is refused and asks for it again", async () => {
    await signIn("not-the-admin-token");

    await page.getByText("Token refused.", { exact: true }).waitFor({ timeout: 10_000 });
    await page.getByLabel("Admin token").waitFor({ timeout: 1_000 });
    expect(await page.getByRole("heading", { name: BACKEND }).count()).toBe(0);
    // The refused token is not kept: a reload asks again.
    await page.reload({ timeout: 15_000 });
    await page.getByLabel("Admin token").waitFor({ timeout: 5_000 });
  });
});
