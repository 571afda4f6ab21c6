/**
 * From a Ready item to a merged pull request, end to end with real parts: the GitHub emulator
 * (its git linked to real bare origins), the Worker in workerd (wrangler dev), a real daemon
 * per repo running the demo agent. A low-risk change merges itself once CI passes; a medium
 * one goes through QA and waits for a person's merge; QA that fails reworks the same PR; a PR
 * closed unmerged gives the item back. Other paths: pull-request-paths.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalMode } from "../../scripts/dev.ts";
import {
  BACKEND,
  branchOnOrigin,
  FRONTEND,
  openPr,
  SLOW,
  startPrLoop,
  WAIT,
  type Loop,
} from "./pr-loop-setup.ts";
import {
  api,
  issueState,
  labelNames,
  lockFields,
  metaEntries,
  personCloses,
  personMerges,
  promptsMentioning,
  pullRequestOf,
  reportCheck,
  reviewOf,
  snapshot,
  spentBy,
} from "./pr-loop-support.ts";
import { git, repoState, wfIn } from "./support.ts";

let loop: Loop;
let mode: LocalMode;

beforeAll(async () => {
  // Besides the sample board's Ready page feature (#21, medium risk): a docs item (low risk),
  // a change of public assets that fails QA and whose PR is closed, and an item in another
  // repo that waits on the docs item. The frontend asks for Copilot's review; QA that waits
  // more than 3 s is escalated, so that the test sees it happen.
  loop = await startPrLoop({
    name: "pr-loop",
    copilotReview: [FRONTEND],
    qa: { timeoutMinutes: 0.05 },
    items: [
      {
        repo: FRONTEND,
        number: 101,
        title: "Docs: pricing FAQ",
        fields: { Area: "docs", "Lock Scope": "area" },
      },
      {
        repo: FRONTEND,
        number: 102,
        title: "Public: plan icons",
        fields: { Area: "public", "Lock Scope": "area" },
      },
      {
        repo: BACKEND,
        number: 201,
        title: "Docs: link the pricing FAQ",
        fields: { Area: "docs", "Lock Scope": "area", "Depends On": `${FRONTEND}#101` },
      },
    ],
  });
  mode = loop.mode;
}, 180_000);

afterAll(async () => {
  await loop?.stop();
});

describe("the pull-request loop", () => {
  it(
    "opens a low-risk PR with its closing keyword and tier label, armed to merge itself",
    async () => {
      const pr = await openPr(loop, FRONTEND, 101);
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
      expect((await pullRequestOf(mode, FRONTEND, 101))?.reviewRequests).toEqual([
        "copilot-pull-request-reviewer[bot]",
      ]);
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
      const pr = await openPr(loop, FRONTEND, 101);
      await expect.poll(async () => (await reviewOf(mode, FRONTEND, 101)).landing, WAIT).toBe("auto_merge");
      await reportCheck(mode, FRONTEND, pr.number, "success");
      await expect.poll(async () => (await pullRequestOf(mode, FRONTEND, 101))?.state, WAIT).toBe("MERGED");
      await expect
        .poll(() => lockFields(mode, `${FRONTEND}#101`), WAIT)
        .toEqual({ status: "Done", lockKey: null, claimOwner: null });
      expect(await issueState(mode, FRONTEND, 101)).toBe("CLOSED COMPLETED");
      await expect.poll(() => branchOnOrigin(loop, FRONTEND, pr.headRefName), WAIT).toBe(false);
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
      const pr = await openPr(loop, FRONTEND, 21);
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
      // `wf status` shows where the PR stands.
      const status = await wfIn(mode, loop.dir, "status", FRONTEND);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(
        `  review   #21  PR #${pr.number} · medium risk · QA passed · person — QA passed`,
      );
    },
    SLOW,
  );

  it(
    "settles a person's merge of the medium PR the same way",
    async () => {
      const pr = await openPr(loop, FRONTEND, 21);
      await personMerges(mode, FRONTEND, pr.number);
      await expect
        .poll(() => lockFields(mode, `${FRONTEND}#21`), WAIT)
        .toEqual({ status: "Done", lockKey: null, claimOwner: null });
      expect(await issueState(mode, FRONTEND, 21)).toBe("CLOSED COMPLETED");
      await expect.poll(() => branchOnOrigin(loop, FRONTEND, pr.headRefName), WAIT).toBe(false);
    },
    SLOW,
  );

  it(
    "reworks a PR that failed QA on the same branch and PR, with the note in the next run's prompt",
    async () => {
      const pr = await openPr(loop, FRONTEND, 102);
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
      const commits = await git(loop.origins[FRONTEND] ?? "", "log", "--format=%s", pr.headRefName);
      expect(
        commits.split("\n").filter((line) => line.startsWith("feat: demo change for issue 102")),
      ).toHaveLength(2);
      expect(await promptsMentioning(loop.dir, note)).toHaveLength(1);
    },
    SLOW,
  );

  it(
    "gives the item back to Ready, lock released and reason on record, when its PR is closed unmerged",
    async () => {
      const pr = await openPr(loop, FRONTEND, 102);
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
    const spent = await spentBy(mode, FRONTEND);
    // Four PRs opened (#21, #101, #102 twice): nothing else read but the repo's merge facts,
    // once; nothing merged or closed but by GitHub.
    expect(spent("pr repo facts")).toEqual({ calls: 1, points: 1 });
    expect(spent("open pr")).toEqual({ calls: 4, points: 4 });
    expect(spent("decorate pr")).toEqual({ calls: 4, points: 4 });
    // Five succeeded runs handed over to their PRs (#102 three times), two QA verdicts on
    // open PRs, and no item read.
    expect(spent("hand over")).toEqual({ calls: 5, points: 5 });
    expect(spent("qa verdict")).toEqual({ calls: 2, points: 2 });
    for (const kind of ["pr for head", "merge pr", "close issue"]) expect(spent(kind).calls).toBe(0);
    expect(spent("get items").calls).toBe(0);
  });
});
