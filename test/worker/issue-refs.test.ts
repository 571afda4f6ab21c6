import { describe, expect, it } from "vitest";
import { formatIssueRef, issueRefKey, parseIssueRef, parseIssueRefs } from "../../worker/board/issue-refs.ts";

const REPO = "phoenix-agentic/Phoenix-Agentic-Engine";

describe("parseIssueRefs", () => {
  it("resolves #12 against the item's own repo", () => {
    expect(parseIssueRefs("#12", REPO)).toEqual({ refs: [{ repo: REPO, number: 12 }], invalid: [] });
  });

  it("reads owner/repo#12 as a cross-repo reference", () => {
    expect(parseIssueRefs("acme/api#7", REPO).refs).toEqual([{ repo: "acme/api", number: 7 }]);
  });

  it("reads issue and pull request URLs, with or without a fragment", () => {
    const text = "https://github.com/acme/api/issues/3, https://github.com/acme/web/pull/4#issuecomment-1";
    expect(parseIssueRefs(text, REPO).refs).toEqual([
      { repo: "acme/api", number: 3 },
      { repo: "acme/web", number: 4 },
    ]);
  });

  it("splits on commas, whitespace and newlines", () => {
    const parsed = parseIssueRefs("#1,#2 #3\n acme/api#4;\t#5", REPO);
    expect(parsed.refs.map((ref) => ref.number)).toEqual([1, 2, 3, 4, 5]);
    expect(parsed.invalid).toEqual([]);
  });

  it("reports tokens that are not references", () => {
    expect(parseIssueRefs("#1 twelve 12 #0", REPO)).toEqual({
      refs: [{ repo: REPO, number: 1 }],
      invalid: ["twelve", "12", "#0"],
    });
  });

  it("reports #12 as invalid when there is no repo to resolve it against", () => {
    expect(parseIssueRefs("#12", null)).toEqual({ refs: [], invalid: ["#12"] });
  });

  it("treats empty text and placeholders like none as no dependencies", () => {
    expect(parseIssueRefs("", REPO)).toEqual({ refs: [], invalid: [] });
    expect(parseIssueRefs(null, REPO)).toEqual({ refs: [], invalid: [] });
    expect(parseIssueRefs("None", REPO)).toEqual({ refs: [], invalid: [] });
  });

  it("drops duplicates, comparing repos case-insensitively", () => {
    expect(parseIssueRefs(`#3 ${REPO.toUpperCase()}#3`, REPO).refs).toHaveLength(1);
  });
});

describe("ref helpers", () => {
  it("parses a single token", () => {
    expect(parseIssueRef(" acme/api#9 ", null)).toEqual({ repo: "acme/api", number: 9 });
    expect(parseIssueRef("acme/api/9", null)).toBeNull();
  });

  it("formats a ref short within its repo and long elsewhere", () => {
    expect(formatIssueRef({ repo: REPO, number: 2 }, REPO)).toBe("#2");
    expect(formatIssueRef({ repo: "acme/api", number: 2 }, REPO)).toBe("acme/api#2");
  });

  it("keys refs case-insensitively", () => {
    expect(issueRefKey({ repo: "Acme/API", number: 1 })).toBe(issueRefKey({ repo: "acme/api", number: 1 }));
  });
});
