/**
 * The pull-request loop's other paths, end to end with real parts (emulator with linked git,
 * the Worker in workerd, real daemons with the demo agent): a low-risk change whose checks
 * fail goes to QA; GitHub's Copilot coding agent's own PR is adopted; an item that names a
 * `feature/*` base gets its PR there, merged by the Worker once green, its issue closed by it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalMode } from "../../scripts/dev.ts";
import { branchOnOrigin, FRONTEND, openPr, SLOW, startPrLoop, WAIT, type Loop } from "./pr-loop-setup.ts";
import {
  issueState,
  labelNames,
  lockFields,
  newItem,
  pullRequestOf,
  reportCheck,
  reviewOf,
  snapshot,
  spentBy,
} from "./pr-loop-support.ts";
import { emulatorPost, git } from "./support.ts";

let loop: Loop;
let mode: LocalMode;

beforeAll(async () => {
  loop = await startPrLoop({
    name: "pr-paths",
    items: [
      {
        repo: FRONTEND,
        number: 160,
        title: "Docs: plans glossary",
        fields: { Area: "docs", "Lock Scope": "area" },
      },
      {
        repo: FRONTEND,
        number: 103,
        title: "Content: pricing copy",
        fields: { Area: "content", "Lock Scope": "area", "Agent Mode": "cloud" },
      },
    ],
  });
  mode = loop.mode;
}, 180_000);

afterAll(async () => {
  await loop?.stop();
});

describe("the pull-request loop's other paths", () => {
  it(
    "sends a low-risk change whose checks fail to a person's QA before review",
    async () => {
      const pr = await openPr(loop, FRONTEND, 160);
      await reportCheck(mode, FRONTEND, pr.number, "failure");
      await expect.poll(async () => (await reviewOf(mode, FRONTEND, 160)).qa, WAIT).toBe("required");
      expect(await lockFields(mode, `${FRONTEND}#160`)).toMatchObject({
        status: "QA Required",
        lockKey: "docs",
      });
      // It no longer merges itself: the next green run waits for the QA verdict.
      expect((await pullRequestOf(mode, FRONTEND, 160))?.autoMerge).toBeNull();
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
      await git(loop.origins[FRONTEND] ?? "", "branch", "feature/pricing", "main");
      await newItem(
        mode,
        FRONTEND,
        150,
        "CI: pricing preview build",
        { Area: "ci", "Lock Scope": "area" },
        ["Build a preview of the pricing pages.", "", "Base branch: feature/pricing"].join("\n"),
      );
      const pr = await openPr(loop, FRONTEND, 150);
      expect(pr.baseRefName).toBe("feature/pricing");
      await expect.poll(async () => (await reviewOf(mode, FRONTEND, 150)).landing, WAIT).toBe("when_green");
      await reportCheck(mode, FRONTEND, pr.number, "success");
      await expect.poll(async () => (await pullRequestOf(mode, FRONTEND, 150))?.state, WAIT).toBe("MERGED");
      await expect
        .poll(() => lockFields(mode, `${FRONTEND}#150`), WAIT)
        .toEqual({ status: "Done", lockKey: null, claimOwner: null });
      // A closing keyword closes nothing outside the default branch: the Worker closes it.
      await expect.poll(() => issueState(mode, FRONTEND, 150), WAIT).toBe("CLOSED COMPLETED");
      await expect.poll(() => branchOnOrigin(loop, FRONTEND, pr.headRefName), WAIT).toBe(false);
    },
    SLOW,
  );

  it("spends a point to adopt a PR, and a point each to merge and to close an issue only where GitHub would not", async () => {
    const spent = await spentBy(mode, FRONTEND);
    // Merge facts once per base (main, feature/pricing); the sample board's #21, #160 and #150
    // opened, Copilot's adopted.
    expect(spent("pr repo facts")).toEqual({ calls: 2, points: 2 });
    expect(spent("open pr")).toEqual({ calls: 3, points: 3 });
    expect(spent("pr for head")).toEqual({ calls: 1, points: 1 });
    expect(spent("decorate pr")).toEqual({ calls: 4, points: 4 });
    // #160's auto-merge disarmed when its checks failed; #150 merged and its issue closed.
    expect(spent("disarm pr")).toEqual({ calls: 1, points: 1 });
    expect(spent("merge pr")).toEqual({ calls: 1, points: 1 });
    expect(spent("close issue")).toEqual({ calls: 1, points: 1 });
  });
});
