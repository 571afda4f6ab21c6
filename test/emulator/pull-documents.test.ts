import { parse, validate, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { analyzeOperation } from "../../emulator/graphql/query-analysis.ts";
import { githubSchema } from "../../emulator/schema/github-schema.ts";
import { closingReferences } from "../../emulator/store/closing-keywords.ts";
import { PULL_DOCUMENTS } from "./pull-documents.ts";

/** GitHub's point cost of a document, as the emulator charges it. */
function cost(document: string): number {
  const parsed = parse(document);
  const operation = parsed.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === "OperationDefinition",
  );
  if (operation === undefined) throw new Error("no operation");
  return analyzeOperation(githubSchema(), operation, [], {}).cost;
}

describe("the pull-request loop's GraphQL documents", () => {
  it.each(Object.entries(PULL_DOCUMENTS))(
    "%s validates against GitHub's schema (with its patches)",
    (_name, document) => {
      expect(validate(githubSchema(), parse(document)).map((e) => e.message)).toEqual([]);
    },
  );

  it("cost one point each: mutations always, these queries because their connections stay small", () => {
    const costs = Object.fromEntries(
      Object.entries(PULL_DOCUMENTS).map(([name, document]) => [name, cost(document)]),
    );
    expect(Object.values(costs).every((c) => c === 1)).toBe(true);
  });

  it("would cost more if a PR's state query fanned out over many PRs' contexts", () => {
    const fanned = `{ repository(owner: "a", name: "b") { pullRequests(first: 100, states: [OPEN]) {
      nodes { statusCheckRollup { contexts(first: 100) { totalCount } } commits(last: 1) { totalCount } } } } }`;
    expect(cost(fanned)).toBe(2);
  });
});

describe("closing keywords", () => {
  it.each([
    ["Closes #12", [{ repo: "o/r", number: 12 }]],
    [
      "fixes: o/other#3 and RESOLVED #4",
      [
        { repo: "o/other", number: 3 },
        { repo: "o/r", number: 4 },
      ],
    ],
    ["Fix https://github.com/o/x/issues/9", [{ repo: "o/x", number: 9 }]],
    ["Closes #1, closes #1", [{ repo: "o/r", number: 1 }]],
    ["Related to #5; prefixes #6; closes#7", []],
  ])("reads %j as GitHub does", (body, expected) => {
    expect(closingReferences(body, "o/r")).toEqual(expected);
  });
});
