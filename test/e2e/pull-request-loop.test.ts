/**
 * From a Ready item to a merged pull request, end to end with real parts: the GitHub emulator
 * (its git linked to real bare origins), the Worker in workerd (wrangler dev), a real daemon
 * per repo running the demo agent. A low-risk change merges itself once CI passes; a medium
 * one goes through QA and waits for a person's merge; a PR closed unmerged gives the item back.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalMode, type LocalMode } from "../../scripts/dev.ts";
import bundled from "../../workspace.config.json";
import {
  api,
  issueState,
  labelNames,
  lockFields,
  metaEntries,
  newItem,
  personCloses,
  personMerges,
  promptsMentioning,
  pullRequestOf,
  reportCheck,
  reviewOf,
  snapshot,
  startRepoAgent,
  type EmulatorPr,
} from "./pr-loop-support.ts";
import { emulatorPost, git, repoState } from "./support.ts";

const FRONTEND = "phoenix-agentic/Phoenix-Agentic-Website-Frontend";
const BACKEND = "phoenix-agentic/Phoenix-Agentic-Website-Backend";
const persistTo = `.wrangler/test-pr-loop-${process.pid}`;
const WAIT = { timeout: 90_000, interval: 500 };
const SLOW = 180_000;
let mode: LocalMode;
let dir: string;
const daemons: ChildProcess[] = [];
const origins: Record<string, string> = {};
const log: string[] = [];

beforeAll(async () => {
  // The frontend asks Copilot to review the PRs Worker Factory opens.
  // QA that waits more than 3 s is escalated, so that the test sees it happen.
  const config = {
    ...bundled,
    qa: { timeoutMinutes: 0.05 },
    repos: bundled.repos.map((repo) => (repo.name === FRONTEND ? { ...repo, copilotReview: true } : repo)),
  };
  mode = await startLocalMode({
    port: 0,
    persistTo,
    vars: { WORKSPACE_CONFIG: JSON.stringify(config) },
    echo: (line) => log.push(line),
  });
  dir = await mkdtemp(join(tmpdir(), "wf-pr-loop-"));
  // Besides the sample board's Ready page feature (#21, medium risk): a docs item (low risk),
  // a change of public assets whose PR is closed, and an item in another repo that waits on
  // the docs item.
  await newItem(mode, FRONTEND, 101, "Docs: pricing FAQ", { Area: "docs", "Lock Scope": "area" });
  await newItem(mode, FRONTEND, 102, "Public: plan icons", { Area: "public", "Lock Scope": "area" });
  await newItem(mode, FRONTEND, 103, "Content: pricing copy", {
    Area: "content",
    "Lock Scope": "area",
    "Agent Mode": "cloud",
  });
  await newItem(mode, BACKEND, 201, "Docs: link the pricing FAQ", {
    Area: "docs",
    "Lock Scope": "area",
    "Depends On": `${FRONTEND}#101`,
  });
  for (const repo of [FRONTEND, BACKEND]) {
    const started = await startRepoAgent(mode, repo, join(dir, repo.split("/")[1] ?? repo), log);
    daemons.push(started.daemon);
    origins[repo] = started.origin;
  }
}, 180_000);

afterAll(async () => {
  // Where a failure's story is told: every line of the emulator, the Worker and the daemons.
  if (process.env.WF_E2E_LOG) await writeFile(process.env.WF_E2E_LOG, log.join("\n"));
  for (const daemon of daemons) daemon.kill("SIGTERM");
  await mode?.stop();
  await rm(persistTo, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function openPr(repo: string, number: number): Promise<EmulatorPr> {
  await expect.poll(async () => (await pullRequestOf(mode, repo, number))?.state, WAIT).toBe("OPEN");
  const pr = await pullRequestOf(mode, repo, number);
  if (pr === null) throw new Error(`no PR for #${number}`);
  return pr;
}

async function branchOnOrigin(repo: string, branch: string): Promise<boolean> {
  const listed = await git(origins[repo] ?? "", "branch", "--list", branch);
  return listed.trim() !== "";
}

describe("the pull-request loop", () => {
  it(
    "opens a low-risk PR with its closing keyword and tier label, armed to merge itself",
    async () => {
      const pr = await openPr(FRONTEND, 101);
      expect(pr.baseRefName).toBe("main");
      expect(pr.body).toContain(`Closes ${FRONTEND}#101`);
      expect(pr.body).toMatch(/## Summary[\s\S]*## Changes[\s\S]*notes\/issue-101\.md[\s\S]*## Testing/);
      // Decorated in one request once opened: the tier label (created), then auto-merge.
      await expect
        .poll(async () => labelNames(mode, (await pullRequestOf(mode, FRONTEND, 101)) ?? pr), WAIT)
        .toEqual(["risk:low"]);
      await expect
        .poll(async () => (await pullRequestOf(mode, FRONTEND, 101))?.autoMerge, WAIT)
        .not.toBeNull();
      // Locks follow the code: the item holds its area while the PR is open.
      expect(await lockFields(mode, `${FRONTEND}#101`)).toMatchObject({
        status: "In Review",
        lockKey: "docs",
      });
    },
    SLOW,
  );

  it(
    "merges the low-risk PR when CI passes: Done, issue closed, lock cleared, branch deleted, the dependent dispatched",
    async () => {
      const pr = await openPr(FRONTEND, 101);
      await expect.poll(async () => (await reviewOf(mode, FRONTEND, 101)).landing, WAIT).toBe("auto_merge");
      await reportCheck(mode, FRONTEND, pr.number, "success");
      await expect.poll(async () => (await pullRequestOf(mode, FRONTEND, 101))?.state, WAIT).toBe("MERGED");
      await expect
        .poll(() => lockFields(mode, `${FRONTEND}#101`), WAIT)
        .toEqual({ status: "Done", lockKey: null, claimOwner: null });
      expect(await issueState(mode, FRONTEND, 101)).toBe("CLOSED COMPLETED");
      await expect.poll(() => branchOnOrigin(FRONTEND, pr.headRefName), WAIT).toBe(false);
      await expect.poll(async () => (await reviewOf(mode, FRONTEND, 101)).state, WAIT).toBe("merged");
      // The item in the other repo waited on #101: the supervisor's fan-out lets it run.
      await expect
        .poll(async () => (await repoState(mode, BACKEND)).runs.find((r) => r.number === 201)?.outcome, WAIT)
        .toBe("succeeded");
    },
    SLOW,
  );

  it(
    "sends a medium-risk change to QA, holding its lock, then lets its PR wait for a person",
    async () => {
      const pr = await openPr(FRONTEND, 21);
      await expect
        .poll(async () => labelNames(mode, (await pullRequestOf(mode, FRONTEND, 21)) ?? pr), WAIT)
        .toEqual(["risk:medium"]);
      await expect
        .poll(() => lockFields(mode, `${FRONTEND}#21`), WAIT)
        .toMatchObject({
          status: "QA Required",
          lockKey: "app/pages",
        });
      // Waiting longer than qa.timeoutMinutes, it is escalated in the meta queue (the operator's log).
      await expect.poll(() => metaEntries(mode, FRONTEND, "qa_timeout", 21), WAIT).toHaveLength(1);
      const verdict = await api(mode, "POST", "/api/qa/verdict", {
        repo: FRONTEND,
        number: 21,
        verdict: "pass",
      });
      expect(verdict.status).toBe(200);
      expect(await lockFields(mode, `${FRONTEND}#21`)).toMatchObject({
        status: "In Review",
        lockKey: "app/pages",
      });
      await reportCheck(mode, FRONTEND, pr.number, "success");
      await expect.poll(async () => (await reviewOf(mode, FRONTEND, 21)).qa, WAIT).toBe("passed");
      // Nothing merges it but a person.
      expect((await pullRequestOf(mode, FRONTEND, 21))?.autoMerge).toBeNull();
      expect((await pullRequestOf(mode, FRONTEND, 21))?.state).toBe("OPEN");
    },
    SLOW,
  );

  it(
    "settles a person's merge of the medium PR the same way",
    async () => {
      const pr = await openPr(FRONTEND, 21);
      await personMerges(mode, FRONTEND, pr.number);
      await expect
        .poll(() => lockFields(mode, `${FRONTEND}#21`), WAIT)
        .toEqual({ status: "Done", lockKey: null, claimOwner: null });
      expect(await issueState(mode, FRONTEND, 21)).toBe("CLOSED COMPLETED");
      await expect.poll(() => branchOnOrigin(FRONTEND, pr.headRefName), WAIT).toBe(false);
    },
    SLOW,
  );

  it(
    "reworks a PR that failed QA on the same branch and PR, with the note in the next run's prompt",
    async () => {
      const pr = await openPr(FRONTEND, 102);
      await expect
        .poll(async () => (await lockFields(mode, `${FRONTEND}#102`)).status, WAIT)
        .toBe("QA Required");
      const note = "the icons are blurry on retina screens";
      const verdict = await api(mode, "POST", "/api/qa/verdict", {
        repo: FRONTEND,
        number: 102,
        verdict: "fail",
        note,
      });
      expect(verdict.status).toBe(200);
      await expect
        .poll(async () => (await repoState(mode, FRONTEND)).runs.filter((r) => r.number === 102).length, WAIT)
        .toBe(2);
      await expect
        .poll(async () => (await repoState(mode, FRONTEND)).runs.find((r) => r.number === 102)?.outcome, WAIT)
        .toBe("succeeded");
      // Back in QA with the same PR, now two commits long; the lock never left it.
      await expect
        .poll(() => lockFields(mode, `${FRONTEND}#102`), WAIT)
        .toMatchObject({ status: "QA Required", lockKey: "public" });
      const after = await pullRequestOf(mode, FRONTEND, 102);
      expect(after).toMatchObject({ number: pr.number, headRefName: pr.headRefName, state: "OPEN" });
      const { pullRequests } = await snapshot(mode);
      expect(
        pullRequests.filter((p) => p.repo === FRONTEND && p.headRefName === pr.headRefName),
      ).toHaveLength(1);
      const commits = await git(origins[FRONTEND] ?? "", "log", "--format=%s", pr.headRefName);
      expect(
        commits.split("\n").filter((line) => line.startsWith("feat: demo change for issue 102")),
      ).toHaveLength(2);
      expect(await promptsMentioning(dir, note)).toHaveLength(1);
    },
    SLOW,
  );

  it(
    "gives the item back to Ready, lock released and reason on record, when its PR is closed unmerged",
    async () => {
      const pr = await openPr(FRONTEND, 102);
      await expect
        .poll(async () => (await lockFields(mode, `${FRONTEND}#102`)).status, WAIT)
        .toBe("QA Required");
      // Paused, so that the item is seen back in Ready before it is dispatched again.
      expect((await api(mode, "POST", "/api/pause", { repo: FRONTEND, paused: true })).status).toBe(200);
      await personCloses(mode, FRONTEND, pr.number);
      await expect
        .poll(() => lockFields(mode, `${FRONTEND}#102`), WAIT)
        .toEqual({ status: "Ready", lockKey: null, claimOwner: null });
      const review = await reviewOf(mode, FRONTEND, 102);
      expect(review.state).toBe("closed");
      expect(review.detail).toContain(`PR #${pr.number} was closed without being merged by @phoenix-human.`);
      expect(await issueState(mode, FRONTEND, 102)).toBe("OPEN");
      expect((await api(mode, "POST", "/api/pause", { repo: FRONTEND, paused: false })).status).toBe(200);
    },
    SLOW,
  );
  it(
    "sends a low-risk change whose checks fail to a person's QA before review",
    async () => {
      const pr = await openPr(BACKEND, 201);
      await reportCheck(mode, BACKEND, pr.number, "failure");
      await expect.poll(async () => (await reviewOf(mode, BACKEND, 201)).qa, WAIT).toBe("required");
      expect(await lockFields(mode, `${BACKEND}#201`)).toMatchObject({
        status: "QA Required",
        lockKey: "docs",
      });
      // It no longer merges itself: the next green run waits for the QA verdict.
      expect((await pullRequestOf(mode, BACKEND, 201))?.autoMerge).toBeNull();
    },
    SLOW,
  );

  it(
    "adopts the PR of GitHub's Copilot coding agent on a cloud item, merges it the same way and releases the lock",
    async () => {
      const issue = `${FRONTEND}#103`;
      await expect.poll(async () => (await lockFields(mode, issue)).claimOwner, WAIT).toBe("copilot");
      await emulatorPost(mode, "copilot/pull-request", { issue, draft: true });
      await emulatorPost(mode, "copilot/ready", { issue });
      const copilotPr = async () =>
        (await snapshot(mode)).pullRequests.filter(
          (p) => p.repo === FRONTEND && p.headRefName === "copilot/fix-103",
        );
      // Adopted, never duplicated: its one PR gets the tier label and auto-merge.
      await expect.poll(async () => (await copilotPr())[0]?.autoMerge ?? null, WAIT).not.toBeNull();
      const [pr] = await copilotPr();
      expect(await copilotPr()).toHaveLength(1);
      expect(await labelNames(mode, pr!)).toEqual(["risk:low"]);
      expect(await lockFields(mode, issue)).toMatchObject({
        status: "In Review",
        lockKey: "content",
        claimOwner: "copilot",
      });
      await reportCheck(mode, FRONTEND, pr!.number, "success");
      await expect
        .poll(() => lockFields(mode, issue), WAIT)
        .toEqual({ status: "Done", lockKey: null, claimOwner: null });
      expect(await issueState(mode, FRONTEND, 103)).toBe("CLOSED COMPLETED");
    },
    SLOW,
  );

  it(
    "opens the PR of an item that names a feature/* base into that branch, merges it when green and closes the issue itself",
    async () => {
      // The feature branch is on origin; its base is not protected, so auto-merge cannot be armed.
      await git(origins[FRONTEND] ?? "", "branch", "feature/pricing", "main");
      await newItem(
        mode,
        FRONTEND,
        150,
        "CI: pricing preview build",
        { Area: "ci", "Lock Scope": "area" },
        ["Build a preview of the pricing pages.", "", "Base branch: feature/pricing"].join("\n"),
      );
      const pr = await openPr(FRONTEND, 150);
      expect(pr.baseRefName).toBe("feature/pricing");
      await expect.poll(async () => (await reviewOf(mode, FRONTEND, 150)).landing, WAIT).toBe("when_green");
      await reportCheck(mode, FRONTEND, pr.number, "success");
      await expect.poll(async () => (await pullRequestOf(mode, FRONTEND, 150))?.state, WAIT).toBe("MERGED");
      await expect
        .poll(() => lockFields(mode, `${FRONTEND}#150`), WAIT)
        .toEqual({ status: "Done", lockKey: null, claimOwner: null });
      // A closing keyword closes nothing outside the default branch: the Worker closes it.
      await expect.poll(() => issueState(mode, FRONTEND, 150), WAIT).toBe("CLOSED COMPLETED");
      await expect.poll(() => branchOnOrigin(FRONTEND, pr.headRefName), WAIT).toBe(false);
    },
    SLOW,
  );

  it(
    "runs the item whose PR was closed again once dispatch resumes, on a new PR",
    async () => {
      // #102 went back to Ready while its repo was paused; resumed, it runs a third time.
      await expect.poll(async () => (await reviewOf(mode, FRONTEND, 102)).state, WAIT).toBe("open");
      const { pullRequests } = await snapshot(mode);
      const mine = pullRequests.filter(
        (p) => p.repo === FRONTEND && p.headRefName.startsWith("subfeature/task/102-"),
      );
      expect(mine.map((p) => p.state).sort()).toEqual(["CLOSED", "OPEN"]);
    },
    SLOW,
  );

  it("spends a point a call on the PR loop: repo facts once a base, one open and one decoration a PR", async () => {
    const state = (await (await api(mode, "GET", "/api/state")).json()) as {
      repos: { name: string; budget: { byKind: Record<string, { calls: number; points: number }> } }[];
    };
    const byKind = state.repos.find((r) => r.name === FRONTEND)?.budget.byKind ?? {};
    const spent = (kind: string) => byKind[kind] ?? { calls: 0, points: 0 };
    // Five PRs opened (#21, #101, #102 twice, #150), one adopted (Copilot's, found by its
    // head): nothing else read but the merge facts, once per base (main, feature/pricing).
    expect(spent("pr repo facts")).toEqual({ calls: 2, points: 2 });
    expect(spent("open pr")).toEqual({ calls: 5, points: 5 });
    expect(spent("pr for head")).toEqual({ calls: 1, points: 1 });
    expect(spent("decorate pr")).toEqual({ calls: 6, points: 6 });
    // Seven succeeded runs handed over to their PRs (#102 three times), two QA verdicts on
    // open PRs; #150 merged by the Worker when green, its issue closed by it (not the default
    // branch); no item read.
    expect(spent("hand over")).toEqual({ calls: 7, points: 7 });
    expect(spent("qa verdict")).toEqual({ calls: 2, points: 2 });
    expect(spent("merge pr")).toEqual({ calls: 1, points: 1 });
    expect(spent("close issue")).toEqual({ calls: 1, points: 1 });
    expect(spent("get items").calls).toBe(0);
  });
});
