import { describe, expect, it } from "vitest";
import { parseWorkspaceConfig } from "../../worker/config/workspace-config.ts";
import { BoardItem } from "../../worker/board/board-item.ts";
import type { IssueState } from "../../worker/board/board-item.ts";
import {
  dependencyRefs,
  evaluateGate,
  isActive,
  prepareBoard,
  reserveAhead,
  staleClaims,
  unresolvedDependencyRefs,
} from "../../worker/board/gate.ts";
import type { GateVerdict } from "../../worker/board/gate.ts";
import { boardItem, type ItemSpec } from "../support/board-items.ts";

const WEB = "acme/web";
const API = "acme/api";
const NOW = Date.parse("2026-05-01T12:00:00Z");
const LATER = "2026-05-01T12:10:00Z";
const EARLIER = "2026-05-01T11:50:00Z";

const config = parseWorkspaceConfig({
  workspace: "test",
  project: { org: "acme", number: 1 },
  repos: [
    {
      name: WEB,
      areas: [
        { name: "app/pages", paths: ["src/app/"] },
        { name: "components", paths: ["src/components/"] },
        { name: "docs", paths: ["docs/"] },
        { name: "ci", paths: [".github/workflows/"] },
      ],
    },
    {
      name: API,
      areas: [
        { name: "gateway", paths: ["gateway/"] },
        { name: "docs", paths: ["docs/"] },
      ],
    },
  ],
});

const issue = boardItem;

const ready = (spec: ItemSpec): BoardItem => issue({ status: "Ready", ...spec });
const working = (spec: ItemSpec): BoardItem => issue({ status: "In Progress", ...spec });

type Case = {
  title: string;
  candidate: BoardItem;
  others?: BoardItem[];
  issueStates?: IssueState[];
  expected: GateVerdict["kind"];
  check?: (verdict: GateVerdict) => void;
};

const cases: Case[] = [
  {
    title: "runs an item whose area nobody holds",
    candidate: ready({ number: 1, area: "app/pages" }),
    others: [working({ number: 2, area: "components" })],
    expected: "runnable",
    check: (verdict) => expect(verdict).toMatchObject({ lockKeyText: "app/pages", scope: "area" }),
  },
  {
    title: "waits behind an active item holding the same area",
    candidate: ready({ number: 1, area: "app/pages" }),
    others: [working({ number: 7, area: "app/pages" })],
    expected: "conflict",
    check: (verdict) => {
      expect(verdict).toMatchObject({
        reason: "Lock conflict: Issue #7 currently holds overlapping lock key(s).",
        holder: { number: 7, heldKeys: [{ area: "app/pages", path: null }] },
      });
    },
  },
  {
    title: "blocks a files-scope item under an active area lock",
    candidate: ready({ number: 1, area: "app/pages", lockScope: "files", neededFiles: "src/app/a.tsx" }),
    others: [working({ number: 3, area: "app/pages" })],
    expected: "conflict",
  },
  {
    title: "runs two files-scope items on different files of one area",
    candidate: ready({ number: 1, area: "app/pages", lockScope: "files", neededFiles: "src/app/a.tsx" }),
    others: [working({ number: 3, area: "app/pages", lockScope: "files", neededFiles: "src/app/b.tsx" })],
    expected: "runnable",
    check: (verdict) => expect(verdict).toMatchObject({ lockKeyText: "app/pages:src/app/a.tsx" }),
  },
  {
    title: "blocks a file that a held glob can match",
    candidate: ready({ number: 1, area: "docs", neededFiles: "docs/guide/setup.md" }),
    others: [working({ number: 4, area: "docs", lockKey: "docs:docs/**/*.md" })],
    expected: "conflict",
  },
  {
    title: "blocks a file under a held directory",
    candidate: ready({ number: 1, area: "docs", neededFiles: "docs/guide/setup.md" }),
    others: [working({ number: 4, area: "docs", neededFiles: "docs/guide/" })],
    expected: "conflict",
  },
  {
    title: "lets docs items on different files run side by side (files scope by default)",
    candidate: ready({ number: 1, area: "docs", neededFiles: "docs/a.md" }),
    others: [working({ number: 5, area: "docs", neededFiles: "docs/b.md" })],
    expected: "runnable",
  },
  {
    title: "lets ci items on different workflows run side by side",
    candidate: ready({ number: 1, area: "ci", neededFiles: ".github/workflows/a.yml" }),
    others: [working({ number: 5, area: "ci", neededFiles: ".github/workflows/b.yml" })],
    expected: "runnable",
  },
  {
    title: "blocks an area lock when another area's file lock lies under its directories",
    candidate: ready({ number: 1, area: "components" }),
    others: [working({ number: 6, area: "docs", lockKey: "docs:src/components/README.md" })],
    expected: "conflict",
  },
  {
    title: "never conflicts across repos, even on the same key",
    candidate: ready({ number: 1, area: "docs", lockScope: "area" }),
    others: [working({ number: 1, repo: API, area: "docs", lockScope: "area" })],
    expected: "runnable",
  },
  {
    title: "sends an item without an Area back to triage",
    candidate: ready({ number: 1 }),
    expected: "triage",
    check: (verdict) => expect(verdict).toMatchObject({ reason: expect.stringMatching(/^Missing Area: /) }),
  },
  {
    title: "sends an Area the repo does not define back to triage",
    candidate: ready({ number: 1, area: "gateway" }),
    expected: "triage",
    check: (verdict) =>
      expect(verdict).toMatchObject({ reason: expect.stringMatching(/^Missing Area: "gateway"/) }),
  },
  {
    title: "waits on an open dependency on the board",
    candidate: ready({ number: 1, area: "app/pages", dependsOn: "#9" }),
    others: [issue({ number: 9, status: "Ready" })],
    expected: "waiting",
    check: (verdict) =>
      expect(verdict).toMatchObject({
        open: [{ ref: { repo: WEB, number: 9 }, source: "depends_on", state: "open" }],
      }),
  },
  {
    title: "runs once a dependency is closed as completed",
    candidate: ready({ number: 1, area: "app/pages", dependsOn: "#9" }),
    others: [issue({ number: 9, state: "CLOSED", stateReason: "COMPLETED" })],
    expected: "runnable",
  },
  {
    title: "runs once a dependency's Status is done, though its issue is open",
    candidate: ready({ number: 1, area: "app/pages", dependsOn: "#9" }),
    others: [issue({ number: 9, status: "Done" })],
    expected: "runnable",
  },
  {
    title: "keeps waiting on a dependency closed as not planned",
    candidate: ready({ number: 1, area: "app/pages", dependsOn: "#9" }),
    others: [issue({ number: 9, state: "CLOSED", stateReason: "NOT_PLANNED" })],
    expected: "waiting",
  },
  {
    title: "waits on an open blockedBy issue",
    candidate: ready({
      number: 1,
      area: "app/pages",
      blockedBy: [{ repo: WEB, number: 11, state: "OPEN", stateReason: null }],
    }),
    expected: "waiting",
    check: (verdict) =>
      expect(verdict).toMatchObject({ open: [{ source: "blocked_by", ref: { number: 11 } }] }),
  },
  {
    title: "runs once its blockedBy issue is closed",
    candidate: ready({
      number: 1,
      area: "app/pages",
      blockedBy: [{ repo: WEB, number: 11, state: "CLOSED", stateReason: "COMPLETED" }],
    }),
    expected: "runnable",
  },
  {
    title: "waits on a cross-repo dependency whose state is unknown",
    candidate: ready({ number: 1, area: "app/pages", dependsOn: `${API}#40` }),
    expected: "waiting",
    check: (verdict) =>
      expect(verdict).toMatchObject({ open: [{ ref: { repo: API, number: 40 }, state: "unknown" }] }),
  },
  {
    title: "runs when a resolved cross-repo dependency is closed",
    candidate: ready({ number: 1, area: "app/pages", dependsOn: `https://github.com/${API}/issues/40` }),
    issueStates: [{ repo: API, number: 40, state: "CLOSED", stateReason: "COMPLETED" }],
    expected: "runnable",
  },
  {
    title: "runs when a cross-repo dependency is still open but its Status on the board is Done",
    candidate: ready({ number: 1, area: "app/pages", dependsOn: `${API}#41` }),
    issueStates: [{ repo: API, number: 41, state: "OPEN", stateReason: null, boardStatus: "Done" }],
    expected: "runnable",
  },
  {
    title: "waits on a cross-repo dependency that is open and not Done on the board",
    candidate: ready({ number: 1, area: "app/pages", dependsOn: `${API}#41` }),
    issueStates: [{ repo: API, number: 41, state: "OPEN", stateReason: null, boardStatus: "In Progress" }],
    expected: "waiting",
  },
  {
    title: "waits while Depends On holds a token that is not a reference",
    candidate: ready({ number: 1, area: "app/pages", dependsOn: "after the redesign" }),
    expected: "waiting",
    check: (verdict) => expect(verdict).toMatchObject({ invalid: ["after", "the", "redesign"] }),
  },
  {
    title: "honours a human's claim made on the board (Ready status, live lease)",
    candidate: ready({ number: 1, area: "app/pages" }),
    others: [
      issue({ number: 8, status: "Ready", area: "app/pages", claimOwner: "alice", leaseExpires: LATER }),
    ],
    expected: "conflict",
    check: (verdict) => expect(verdict).toMatchObject({ holder: { number: 8 } }),
  },
  {
    title: "ignores a human's claim whose lease has passed",
    candidate: ready({ number: 1, area: "app/pages" }),
    others: [
      issue({ number: 8, status: "Ready", area: "app/pages", claimOwner: "alice", leaseExpires: EARLIER }),
    ],
    expected: "runnable",
  },
  {
    title: "ignores a closed item that still says In Progress",
    candidate: ready({ number: 1, area: "app/pages" }),
    others: [working({ number: 8, area: "app/pages", state: "CLOSED", stateReason: "COMPLETED" })],
    expected: "runnable",
  },
  {
    title: "reports an item that already holds its claim as active",
    candidate: ready({ number: 1, area: "app/pages", claimOwner: "wf:acme/web", leaseExpires: LATER }),
    expected: "active",
  },
  {
    title: "does not dispatch an item whose Status is not ready",
    candidate: issue({ number: 1, status: "Backlog", area: "app/pages" }),
    expected: "not_ready",
  },
  {
    title: "does not dispatch an archived item",
    candidate: ready({ number: 1, area: "app/pages", archived: true }),
    expected: "not_ready",
  },
  {
    title: "does not dispatch a closed issue",
    candidate: ready({ number: 1, area: "app/pages", state: "CLOSED" }),
    expected: "not_ready",
  },
  {
    title: "does not dispatch an item of an unconfigured repo",
    candidate: ready({ number: 1, repo: "acme/other", area: "app/pages" }),
    expected: "not_ready",
  },
];

describe("evaluateGate", () => {
  it.each(cases)("$title", ({ candidate, others = [], issueStates, expected, check }) => {
    const verdict = evaluateGate({
      item: candidate,
      board: [candidate, ...others],
      issueStates,
      config,
      now: NOW,
    });
    expect(verdict.kind).toBe(expected);
    check?.(verdict);
  });

  it("does not dispatch a draft", () => {
    const draft = BoardItem.parse({
      ...ready({ number: 1, area: "app/pages" }),
      contentType: "DraftIssue",
      repo: null,
      number: null,
    });
    expect(evaluateGate({ item: draft, board: [draft], config, now: NOW })).toMatchObject({
      kind: "not_ready",
      code: "no_repo",
    });
  });

  it("gives the same verdict for the same inputs", () => {
    const candidate = ready({ number: 1, area: "app/pages" });
    const board = [candidate, working({ number: 7, area: "app/pages" })];
    expect(evaluateGate({ item: candidate, board, config, now: NOW })).toEqual(
      evaluateGate({ item: candidate, board, config, now: new Date(NOW) }),
    );
  });
});

describe("isActive", () => {
  it("counts an active Status and a live lease, not an expired one", () => {
    expect(isActive(working({ number: 1 }), config, NOW)).toBe(true);
    expect(isActive(issue({ number: 1, status: "QA Required" }), config, NOW)).toBe(true);
    expect(isActive(issue({ number: 1, claimOwner: "bob", leaseExpires: LATER }), config, NOW)).toBe(true);
    expect(isActive(issue({ number: 1, claimOwner: "bob", leaseExpires: EARLIER }), config, NOW)).toBe(false);
    expect(isActive(issue({ number: 1, claimOwner: "bob", leaseExpires: "soon" }), config, NOW)).toBe(false);
  });
});

describe("dependency helpers", () => {
  const candidate = ready({
    number: 1,
    dependsOn: `#2, ${API}#3, #1`,
    blockedBy: [{ repo: WEB, number: 4, state: "OPEN", stateReason: null }],
  });

  it("lists Depends On and blockedBy refs without the item itself", () => {
    expect(dependencyRefs(candidate).refs).toEqual([
      { ref: { repo: WEB, number: 2 }, source: "depends_on" },
      { ref: { repo: API, number: 3 }, source: "depends_on" },
      { ref: { repo: WEB, number: 4 }, source: "blocked_by" },
    ]);
  });

  it("lists the refs to fetch: neither on the board nor carrying a state", () => {
    expect(unresolvedDependencyRefs([candidate], [candidate, issue({ number: 2 })])).toEqual([
      { repo: API, number: 3 },
    ]);
  });
});

describe("staleClaims", () => {
  it("reports someone else's expired claim and not ours or a live one", () => {
    const board = [
      issue({ number: 1, claimOwner: "alice", leaseExpires: EARLIER, lockKey: "docs" }),
      issue({ number: 2, claimOwner: "wf:acme/web", leaseExpires: EARLIER }),
      issue({ number: 3, claimOwner: "bob", leaseExpires: LATER }),
      working({ number: 4, claimOwner: "carol", leaseExpires: EARLIER }),
    ];
    const stale = staleClaims(board, config, NOW, (owner) => owner.startsWith("wf:"));
    expect(stale).toEqual([
      expect.objectContaining({ number: 1, claimOwner: "alice", lockKey: "docs", stillActive: false }),
      expect.objectContaining({ number: 4, claimOwner: "carol", stillActive: true }),
    ]);
  });

  it("reports a person's finished item whose claim fields were left filled in, and it holds nothing", () => {
    const done = issue({
      number: 5,
      status: "Done",
      claimOwner: "dana",
      leaseExpires: LATER,
      lockKey: "app/pages",
      area: "app/pages",
    });
    expect(isActive(done, config, NOW)).toBe(false);
    expect(staleClaims([done], config, NOW, () => false)).toEqual([
      expect.objectContaining({ number: 5, claimOwner: "dana", kind: "finished", stillActive: false }),
    ]);
    const candidate = ready({ number: 6, area: "app/pages" });
    expect(evaluateGate({ item: candidate, board: [candidate, done], config, now: NOW }).kind).toBe(
      "runnable",
    );
  });
});

describe("items ahead in line", () => {
  it("makes an overlapping later item wait behind a runnable one that is not claimed yet, naming it", () => {
    const first = ready({ number: 21, area: "app/pages" });
    const second = ready({ number: 30, area: "app/pages" });
    const board = [first, second];
    const prepared = prepareBoard(board, config, NOW);
    const verdict = evaluateGate({ item: first, board, config, now: NOW, prepared });
    expect(verdict.kind).toBe("runnable");
    if (verdict.kind === "runnable") reserveAhead(prepared, first, verdict.lockKeys);
    expect(evaluateGate({ item: second, board, config, now: NOW, prepared })).toMatchObject({
      kind: "queued_behind",
      reason: expect.stringContaining("Issue #21"),
    });
    const elsewhere = ready({ number: 31, area: "components" });
    expect(
      evaluateGate({ item: elsewhere, board: [...board, elsewhere], config, now: NOW, prepared }).kind,
    ).toBe("runnable");
  });
});
