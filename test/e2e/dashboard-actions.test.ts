/**
 * Running the factory from the dashboard, in Chromium against local mode: QA verdicts that
 * change the board and the sequence, pause and resume (one repo, then all), a steer that
 * reaches a connected agent (a raw WebSocket speaking the protocol), retry now and unpark,
 * releasing a stale claim
 * only after a confirmation, and the deliveries view with the Worker's own echoes folded.
 */
import { rm } from "node:fs/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_SECRETS, startLocalMode, type LocalMode } from "../../scripts/dev.ts";
import {
  BACKEND,
  DESKTOP,
  fitsWidth,
  FRONTEND,
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
  type Viewport,
} from "./dashboard-support.ts";
import { RawAgent } from "./raw-agent.ts";
import { boardField, setBoardField } from "./support.ts";

const persistTo = `.wrangler/test-dashboard-actions-${process.pid}`;
let mode: LocalMode;
let browser: Browser;
let closeBrowser: (() => Promise<void>) | undefined;
const contexts: BrowserContext[] = [];
/** The Frontend agent of the steer test, kept for the retry test that follows it. */
let agent: RawAgent | null = null;
const BRANCH = "subfeature/task/21-pricing-page";

async function open(viewport: Viewport): Promise<Page> {
  const { page, context } = await openPage(browser, viewport);
  contexts.push(context);
  await signIn(page, mode.workerUrl);
  await page.getByRole("heading", { name: BACKEND, exact: true }).waitFor({ timeout: SHOWS });
  return page;
}

async function pausedRepos(): Promise<string[]> {
  const response = await fetch(`${mode.workerUrl}/api/state`, {
    headers: { authorization: `Bearer ${LOCAL_SECRETS.ADMIN_TOKEN}` },
  });
  const state = (await response.json()) as { repos: { name: string; paused: boolean }[] };
  return state.repos.filter((repo) => repo.paused).map((repo) => repo.name);
}

const field = (item: string, name: string) => () => boardField(mode, item, name);

beforeAll(async () => {
  if (noChromium) return;
  mode = await startLocalMode({ port: 0, persistTo });
  ({ browser, close: closeBrowser } = await launchChromium());
}, 180_000);

afterAll(async () => {
  agent?.close();
  await closeBrowser?.();
  await mode?.stop();
  await rm(persistTo, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

describe("running the factory from the dashboard", () => {
  it("passes the current QA item, then fails the next with a note; the board and the sequence follow (desktop)", async () => {
    if (noChromium) throw noChromium;
    const page = await open(DESKTOP);
    const qa = page.getByRole("region", { name: "QA sequence" });
    await setBoardField(mode, `${BACKEND}#63`, "Status", "QA Required");
    await expect
      .poll(() => qa.innerText(), { timeout: SHOWS })
      .toContain("Phoenix-Agentic-Engine-Backend#63");
    expect(await qa.innerText()).toMatch(
      /Now: Phoenix-Agentic-Website-Frontend#22 Header navigation for docs/,
    );

    await qa.getByRole("button", { name: "Pass" }).click();

    await expect.poll(field(`${FRONTEND}#22`, "Status"), { timeout: SHOWS }).toBe("In Review");
    await expect
      .poll(() => qa.innerText(), { timeout: SHOWS })
      .toMatch(/Now: Phoenix-Agentic-Engine-Backend#63 Contracts: version the job schema/);
    const fail = qa.getByRole("button", { name: "Fail with note" });
    expect(await fail.isDisabled()).toBe(true);

    await qa.getByLabel("Note").fill("The version field is missing from the published schema");
    await fail.click();

    await expect.poll(field(`${BACKEND}#63`, "Status"), { timeout: SHOWS }).toBe("Ready");
    await expect.poll(() => qa.innerText(), { timeout: SHOWS }).toContain("Nothing waits for QA.");
    await page.getByRole("link", { name: "Operator log" }).click();
    const log = page.getByRole("region", { name: "Operator log" });
    await expect
      .poll(() => log.innerText(), { timeout: SHOWS })
      .toContain("The version field is missing from the published schema");
  });

  it("pauses and resumes a repo, then all of them (phone)", async () => {
    if (noChromium) throw noChromium;
    const page = await open(PHONE);
    const frontend = repoRegion(page, FRONTEND);

    await frontend.getByRole("button", { name: "Pause dispatch" }).click();
    await frontend.getByText("Dispatch paused", { exact: true }).waitFor({ timeout: SHOWS });
    expect(await pausedRepos()).toEqual([FRONTEND]);
    await frontend.getByRole("button", { name: "Resume dispatch" }).click();
    await frontend.getByText("Dispatch paused", { exact: true }).waitFor({ state: "hidden", timeout: SHOWS });
    expect(await pausedRepos()).toEqual([]);

    await page.getByRole("button", { name: "Pause all" }).click();
    await expect
      .poll(() => page.getByText("Dispatch paused", { exact: true }).count(), { timeout: SHOWS })
      .toBe(5);
    expect((await pausedRepos()).sort()).toEqual([...SAMPLE_REPOS].sort());
    await page.getByRole("button", { name: "Resume all" }).click();
    await expect
      .poll(() => page.getByText("Dispatch paused", { exact: true }).count(), { timeout: SHOWS })
      .toBe(0);
    expect(await pausedRepos()).toEqual([]);
    expect(await fitsWidth(page)).toBe(true);
  });

  it("shows a connected agent's run and sends it a steer from the page (desktop)", async () => {
    if (noChromium) throw noChromium;
    const page = await open(DESKTOP);
    agent = await RawAgent.connect(mode, FRONTEND, "dashboard-agent");
    const dispatch = await agent.startRun(1, BRANCH);
    expect(dispatch.args.issueNumber).toBe(21);

    const run = itemRow(tableOf(repoRegion(page, FRONTEND), "Runs"), "#21");
    await expect
      .poll(() => run.innerText().catch(() => ""), { timeout: SHOWS })
      .toContain(`started on ${BRANCH}`);
    const text = await run.innerText();
    expect(text).toContain("running");
    expect(text).toContain("dashboard-agent");
    expect(text).toContain(String(dispatch.fence));
    expect(text).toMatch(/expires in \d+ min/);
    expect(text).toMatch(/\d+ s ago/);
    const link = run.getByRole("link", { name: `branch ${BRANCH}` });
    expect(await link.getAttribute("href")).toBe(`https://github.com/${FRONTEND}/tree/${BRANCH}`);

    await run.getByText("Steer", { exact: true }).click();
    await run.getByLabel("Context for the agent").fill("Use the annual prices from the pricing sheet");
    await run.getByRole("button", { name: "Add context" }).click();

    await expect
      .poll(() => agent?.steers()[0], { timeout: SHOWS })
      .toMatchObject({
        command: "append_context",
        runId: dispatch.runId,
        text: "Use the annual prices from the pricing sheet",
      });
    const steer = agent.steers()[0]!;
    agent.send({ type: "ack", id: steer.id });
    agent.send({
      type: "steer_applied",
      id: "applied-1",
      runId: dispatch.runId,
      fence: dispatch.fence,
      runSecret: dispatch.runSecret,
      steerId: steer.id,
      effect: "delivered",
      detail: "reached the live session",
    });
    await expect
      .poll(() => run.innerText(), { timeout: SHOWS })
      .toContain("steering delivered: reached the live session");

    await run.getByRole("button", { name: "Stop and requeue" }).click();
    await expect
      .poll(() => agent?.steers().map((frame) => frame.command), { timeout: SHOWS })
      .toEqual(["append_context", "stop_and_requeue"]);
    agent.finishRun(dispatch, "stopped", "stopped by the operator");
  });

  it("cuts a retry's backoff short with Retry now, and unparks an item parked after its retries (phone)", async () => {
    if (noChromium) throw noChromium;
    if (agent === null) throw new Error("the steer test's agent is not connected");
    const page = await open(PHONE);
    const row = itemRow(tableOf(repoRegion(page, FRONTEND), "Queue"), "#21");

    // The stop used attempt 1; attempt 2 fails and waits out its backoff (two minutes: 60 s doubled).
    agent.finishRun(await agent.startRun(2, BRANCH), "failed", "the tests failed");
    await expect
      .poll(() => row.innerText().catch(() => ""), { timeout: SHOWS })
      .toContain("Waiting out a retry backoff");
    expect(await row.innerText()).toMatch(/Next try at .* \(in [12] min \d+ s\)/);
    await row.getByRole("button", { name: "Retry now" }).click();

    // Attempt 3 is the last: failing it parks the item.
    agent.finishRun(await agent.startRun(3, BRANCH), "failed", "the tests failed again");
    await expect
      .poll(() => row.innerText().catch(() => ""), { timeout: SHOWS })
      .toContain("Parked after its retries");
    await expect.poll(field(`${FRONTEND}#21`, "Status"), { timeout: SHOWS }).toBe("Triage");
    await row.getByRole("button", { name: "Unpark" }).click();

    await expect.poll(field(`${FRONTEND}#21`, "Status"), { timeout: SHOWS }).not.toBe("Triage");
    const fourth = await agent.startRun(4, BRANCH);
    expect(fourth.args.attempt).toBe(1);
    agent.close();
    agent = null;
  });

  it("asks before releasing a stale claim, and releases it only on confirm (phone)", async () => {
    if (noChromium) throw noChromium;
    const page = await open(PHONE);
    await setBoardField(mode, `${BACKEND}#42`, "Lease Expires", "2020-01-01T00:00:00Z");
    const backend = repoRegion(page, BACKEND);
    const claim = backend.locator(".stale li", { hasText: "claimed by alice" });
    await expect
      .poll(() => claim.innerText().catch(() => ""), { timeout: SHOWS })
      .toContain("whose lease passed");

    await claim.getByRole("button", { name: "Release claim" }).click();
    const dialog = page.getByRole("dialog", { name: "Release alice's claim on #42?" });
    await dialog.waitFor({ timeout: 5_000 });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden", timeout: 5_000 });
    expect(await boardField(mode, `${BACKEND}#42`, "Claim Owner")).toBe("alice");

    await claim.getByRole("button", { name: "Release claim" }).click();
    await dialog.getByRole("button", { name: "Release" }).click();

    await expect.poll(field(`${BACKEND}#42`, "Claim Owner"), { timeout: SHOWS }).toBeNull();
    expect(await boardField(mode, `${BACKEND}#42`, "Status")).toBe("Ready");
    await claim.waitFor({ state: "detached", timeout: SHOWS });
    await expect.poll(() => tableOf(backend, "Lock map").count(), { timeout: SHOWS }).toBe(0);
  });

  it("shows the deliveries on their own view, the Worker's own echoes folded, filterable (desktop)", async () => {
    if (noChromium) throw noChromium;
    const page = await open(DESKTOP);
    await page.getByRole("link", { name: "Deliveries" }).click();
    const view = page.getByRole("region", { name: "Deliveries" });
    const summary = view.locator("#deliveries-summary");
    await expect
      .poll(() => summary.innerText(), { timeout: SHOWS })
      .toMatch(/; [1-9]\d* of the Worker's own echoes folded/);
    const table = view.locator("table");
    expect(await table.innerText()).toMatch(/\d+ echo(es)? of the Worker's own writes/);
    expect(await table.innerText()).not.toContain("worker-factory-bot");

    await view.getByLabel("Show the Worker's own echoes").check();
    await expect.poll(() => table.innerText()).toContain("worker-factory-bot");

    await view.getByLabel("Filter").fill("Website-Frontend");
    const rows = table.locator("tbody tr");
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    for (const text of await rows.allInnerTexts()) expect(text).toContain("Website-Frontend");
  });
});
