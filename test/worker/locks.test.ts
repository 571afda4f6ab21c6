import { describe, expect, it } from "vitest";
import { parseWorkspaceConfig } from "../../worker/config/workspace-config.ts";
import { emptyFields, type BoardItem } from "../../worker/board/board-item.ts";
import {
  findKeyConflicts,
  formatLockKeys,
  heldLocks,
  locksConflict,
  parseLockKeys,
  parseNeededFiles,
  requestedLocks,
} from "../../worker/board/locks.ts";
import type { LockKey } from "../../worker/board/locks.ts";

const FRONT = "acme/web";
const BACK = "acme/api";
const config = parseWorkspaceConfig({
  workspace: "test",
  project: { org: "acme", number: 1 },
  repos: [
    {
      name: FRONT,
      areas: [
        { name: "app/pages", paths: ["src/app/"] },
        { name: "components", paths: ["src/components/"] },
        { name: "docs", paths: ["docs/"] },
        { name: "ci", paths: [".github/workflows/"] },
      ],
    },
    {
      name: BACK,
      areas: [
        { name: "gateway", paths: ["gateway/"] },
        { name: "docs", paths: ["docs/"] },
      ],
    },
  ],
});
const front = config.repos[0];

function item(
  fields: Partial<BoardItem["fields"]>,
  repo: string | null = FRONT,
): Pick<BoardItem, "fields" | "repo"> {
  return { repo, fields: { ...emptyFields(), ...fields } };
}
const key = (area: string, path: string | null = null, repo = FRONT): LockKey => ({ repo, area, path });

describe("requestedLocks", () => {
  it("asks for the whole area under area scope, ignoring Needed Files", () => {
    const result = requestedLocks(item({ area: "app/pages", neededFiles: "src/app/page.tsx" }), front);
    expect(result).toMatchObject({ ok: true, scope: "area", keys: [key("app/pages")] });
  });

  it("asks only for the Needed Files under files scope", () => {
    const result = requestedLocks(
      item({ area: "app/pages", lockScope: "files", neededFiles: "src/app/a.tsx,\nsrc/app/b/" }),
      front,
    );
    expect(result).toMatchObject({
      ok: true,
      scope: "files",
      keys: [key("app/pages", "src/app/a.tsx"), key("app/pages", "src/app/b/")],
    });
  });

  it("defaults docs and ci to files scope", () => {
    expect(requestedLocks(item({ area: "docs", neededFiles: "docs/a.md" }), front)).toMatchObject({
      scope: "files",
      keys: [key("docs", "docs/a.md")],
    });
    expect(
      requestedLocks(item({ area: "ci", neededFiles: ".github/workflows/ci.yml" }), front),
    ).toMatchObject({
      scope: "files",
    });
  });

  it("holds the whole area under files scope when Needed Files is empty", () => {
    expect(requestedLocks(item({ area: "docs" }), front)).toMatchObject({
      scope: "files",
      keys: [key("docs")],
    });
  });

  it("lets the item's Lock Scope override the area default", () => {
    expect(
      requestedLocks(item({ area: "docs", lockScope: "Area", neededFiles: "docs/a.md" }), front),
    ).toMatchObject({ scope: "area", keys: [key("docs")] });
  });

  it("refuses an item without an Area, naming the areas", () => {
    const result = requestedLocks(item({}), front);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toBe("missing_area");
      expect(result.reason).toMatch(/^Missing Area: .*app\/pages/);
    }
  });

  it("refuses an Area the repo does not define", () => {
    const result = requestedLocks(item({ area: "gateway" }), front);
    expect(result).toMatchObject({ ok: false, problem: "unknown_area" });
    if (!result.ok) expect(result.reason).toMatch(/^Missing Area: "gateway" is not an area of acme\/web/);
  });
});

describe("Lock Key text", () => {
  it("parses area and file keys, comma or newline separated", () => {
    expect(parseLockKeys("app/pages, docs:docs/a.md\ncomponents:src/components/*.tsx", FRONT)).toEqual({
      keys: [key("app/pages"), key("docs", "docs/a.md"), key("components", "src/components/*.tsx")],
      invalid: [],
    });
  });

  it("reports keys with an empty area or path", () => {
    expect(parseLockKeys(":src/a.ts, docs:", FRONT)).toEqual({ keys: [], invalid: [":src/a.ts", "docs:"] });
  });

  it("round-trips what a claim writes", () => {
    const keys = [key("docs", "docs/a.md"), key("app/pages")];
    expect(parseLockKeys(formatLockKeys(keys), FRONT).keys).toEqual(keys);
  });

  it("splits Needed Files on commas and newlines, dropping bullets and backticks", () => {
    expect(parseNeededFiles("- `src/a.ts`\n./src/b.ts, src/a.ts")).toEqual(["src/a.ts", "src/b.ts"]);
  });
});

describe("heldLocks", () => {
  it("reads the Lock Key field when it is set", () => {
    expect(heldLocks(item({ area: "docs", lockKey: "components" }), config)).toEqual([key("components")]);
  });

  it("falls back to Area, scope and Needed Files when Lock Key is empty", () => {
    expect(heldLocks(item({ area: "docs", neededFiles: "docs/x.md" }), config)).toEqual([
      key("docs", "docs/x.md"),
    ]);
  });
});

describe("locksConflict", () => {
  const cases: Array<[string, LockKey, LockKey, boolean]> = [
    ["the same area", key("app/pages"), key("app/pages"), true],
    ["two different areas", key("app/pages"), key("components"), false],
    ["an area and a file lock in it", key("docs"), key("docs", "docs/a.md"), true],
    [
      "an area and a file of another area under its directory",
      key("app/pages"),
      key("docs", "src/app/x.ts"),
      true,
    ],
    ["an area and a file elsewhere", key("app/pages"), key("components", "src/components/a.tsx"), false],
    ["an area and a glob that can reach into it", key("app/pages"), key("docs", "src/**/*.md"), true],
    ["two different files", key("docs", "docs/a.md"), key("docs", "docs/b.md"), false],
    ["the same file", key("docs", "docs/a.md"), key("docs", "docs/a.md"), true],
    ["a glob and a file it matches", key("docs", "docs/*.md"), key("docs", "docs/a.md"), true],
    ["a directory and a file beneath it", key("docs", "docs/guide/"), key("docs", "docs/guide/x.md"), true],
    ["the same area in two repos", key("docs", null, FRONT), key("docs", null, BACK), false],
    ["the same file in two repos", key("docs", "docs/a.md", FRONT), key("docs", "docs/a.md", BACK), false],
  ];
  it.each(cases)("%s: %s", (_title, a, b, expected) => {
    const repo = config.repos.find((candidate) => candidate.name === a.repo);
    expect(locksConflict(a, b, repo)).toBe(expected);
    expect(locksConflict(b, a, repo)).toBe(expected);
  });

  it("lists every conflicting pair", () => {
    const conflicts = findKeyConflicts(
      [key("docs", "docs/a.md"), key("docs", "docs/b.md")],
      [key("docs", "docs/*.md")],
      config,
    );
    expect(conflicts).toHaveLength(2);
  });
});
