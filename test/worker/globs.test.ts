import { describe, expect, it } from "vitest";
import { globMatches, globsOverlap, isGlob, normalizePattern } from "../../worker/board/globs.ts";

describe("globsOverlap", () => {
  const cases: Array<[string, string, boolean]> = [
    ["src/app/page.tsx", "src/app/page.tsx", true],
    ["src/app/page.tsx", "src/app/layout.tsx", false],
    ["src/app/", "src/app/page.tsx", true],
    ["src/app/", "src/app/deep/nested/file.ts", true],
    ["src/app/", "src/application.ts", false],
    ["src/app/", "src/components/", false],
    ["src/", "src/app/", true],
    ["src/*.ts", "src/index.ts", true],
    ["src/*.ts", "src/app/index.ts", false],
    ["src/*.ts", "src/*.tsx", false],
    ["src/*.ts", "src/index.*", true],
    ["src/**/*.ts", "src/a/b/c.ts", true],
    ["src/**/*.ts", "src/c.ts", true],
    ["src/**/*.ts", "lib/c.ts", false],
    ["**/*.md", "docs/", true],
    ["**/*.md", "docs/*.txt", false],
    ["docs/?.md", "docs/a.md", true],
    ["docs/?.md", "docs/ab.md", false],
    ["docs/?.md", "docs/*", true],
    ["sdk/*", "sdk/client/", false],
    ["sdk/*", "sdk/index.ts", true],
    ["phoenix_docs_*/", "phoenix_docs_api/readme.md", true],
    ["phoenix_docs_*/", "doc/", false],
    ["a*b", "*c", false],
    ["a*b*c", "*b*", true],
    ["**", "anything/at/all", true],
    ["./src/app/page.tsx", "/src/app/page.tsx", true],
  ];
  it.each(cases)("%s and %s overlap: %s", (a, b, expected) => {
    expect(globsOverlap(a, b)).toBe(expected);
    expect(globsOverlap(b, a)).toBe(expected);
  });
});

describe("globMatches", () => {
  it("matches a literal path against a directory prefix", () => {
    expect(globMatches("src/app/", "src/app/x/y.ts")).toBe(true);
    expect(globMatches("src/app/", "src/app")).toBe(false);
  });

  it("lets a whole-segment ** match zero directories", () => {
    expect(globMatches("a/**/b", "a/b")).toBe(true);
    expect(globMatches("a/**/b", "a/x/y/b")).toBe(true);
    expect(globMatches("a/**/b", "a/xb")).toBe(false);
  });

  it("keeps * inside one segment", () => {
    expect(globMatches("*.ts", "index.ts")).toBe(true);
    expect(globMatches("*.ts", "src/index.ts")).toBe(false);
  });
});

describe("pattern helpers", () => {
  it("normalizes leading ./ and / away", () => {
    expect(normalizePattern("  ./src/a.ts ")).toBe("src/a.ts");
    expect(normalizePattern("/src/")).toBe("src/");
  });

  it("tells globs and directories from literal paths", () => {
    expect(isGlob("src/a.ts")).toBe(false);
    expect(isGlob("src/")).toBe(true);
    expect(isGlob("src/*.ts")).toBe(true);
  });
});
