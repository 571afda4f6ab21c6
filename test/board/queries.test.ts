import { parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { githubSchema } from "../../emulator/schema/github-schema.ts";
import {
  fieldUpdatesMutation,
  issueStatesQuery,
  ITEM_READ_BACK_QUERY,
  ITEMS_BY_ID_QUERY,
  ITEMS_PAGE_QUERY,
  ITEMS_SCAN_QUERY,
  PROJECT_FIELDS_QUERY,
} from "../../worker/board/queries.ts";

function errorsOf(document: string): string[] {
  return validate(githubSchema(), parse(document)).map((error) => error.message);
}

describe("GraphQL documents", () => {
  it.each([
    ["project fields", PROJECT_FIELDS_QUERY],
    ["items page", ITEMS_PAGE_QUERY],
    ["items scan", ITEMS_SCAN_QUERY],
    ["items by id", ITEMS_BY_ID_QUERY],
    ["read-back", ITEM_READ_BACK_QUERY],
  ])("the %s query is valid against GitHub's schema", (_name, document) => {
    expect(errorsOf(document)).toEqual([]);
  });

  it("selects rateLimit in every query", () => {
    for (const document of [PROJECT_FIELDS_QUERY, ITEMS_PAGE_QUERY, ITEMS_SCAN_QUERY, ITEMS_BY_ID_QUERY]) {
      expect(document).toContain("rateLimit { cost remaining limit resetAt used }");
    }
    expect(issueStatesQuery([{ repo: "a/b", number: 1 }], "Status").query).toContain("rateLimit {");
  });

  it("builds a valid issue-state batch, one aliased repository per repo", () => {
    const built = issueStatesQuery(
      [
        { repo: "acme/api", number: 3 },
        { repo: "acme/web", number: 4 },
        { repo: "ACME/api", number: 5 },
      ],
      "Status",
    );
    expect(errorsOf(built.query)).toEqual([]);
    expect(built.repos).toEqual(["acme/api", "acme/web"]);
    expect(built.variables).toEqual({ sf: "Status", o0: "acme", n0: "api", o1: "acme", n1: "web" });
    expect(built.query).toContain("i5: issue(number: 5)");
  });

  it("builds one valid mutation with an aliased update or clear per field", () => {
    const built = fieldUpdatesMutation("PVT_1", "PVTI_1", [
      { fieldId: "F_text", value: { text: "docs:docs/a.md" } },
      { fieldId: "F_select", value: { singleSelectOptionId: "opt" } },
      { fieldId: "F_clear", value: null },
    ]);
    expect(errorsOf(built.query)).toEqual([]);
    expect(built.query.match(/updateProjectV2ItemFieldValue/g)).toHaveLength(2);
    expect(built.query.match(/clearProjectV2ItemFieldValue/g)).toHaveLength(1);
    expect(built.variables).toEqual({
      f0: { projectId: "PVT_1", itemId: "PVTI_1", fieldId: "F_text", value: { text: "docs:docs/a.md" } },
      f1: {
        projectId: "PVT_1",
        itemId: "PVTI_1",
        fieldId: "F_select",
        value: { singleSelectOptionId: "opt" },
      },
      f2: { projectId: "PVT_1", itemId: "PVTI_1", fieldId: "F_clear" },
    });
  });
});
