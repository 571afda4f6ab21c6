// The board's items as they are stored (the RepoQueue's snapshots): titles and bodies are
// bounded at GitHub's own limits, so a board that sends more (an emulator, a future API)
// cannot make a snapshot too big to store, and nothing GitHub accepts is ever cut.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ItemNode, toBoardItem } from "../../worker/board/responses.ts";
import { parseWorkspaceConfigText } from "../../worker/config/workspace-config.ts";
import { FIELD_LIMITS } from "../../worker/storage/limits.ts";

const config = parseWorkspaceConfigText(
  readFileSync(new URL("../../workspace.config.json", import.meta.url), "utf8"),
);
const bytes = (text: string): number => new TextEncoder().encode(text).length;

function issueNode(title: string, body: string) {
  return ItemNode.parse({
    id: "PVTI_1",
    type: "ISSUE",
    isArchived: false,
    updatedAt: "2026-01-05T09:00:00Z",
    fieldValues: { nodes: [] },
    content: {
      __typename: "Issue",
      id: "I_1",
      number: 1,
      title,
      url: "https://github.com/acme/widgets/issues/1",
      body,
      state: "OPEN",
      stateReason: null,
      repository: { nameWithOwner: "acme/widgets" },
    },
  });
}

describe("board items as stored", () => {
  it("keeps the longest title and body GitHub accepts as they are, even in 4-byte characters", () => {
    const title = "🚀".repeat(256);
    const body = "🚀".repeat(65_536);
    const item = toBoardItem(issueNode(title, body), config.fields);
    expect([item.title, item.body]).toEqual([title, body]);
  });

  it("cuts a 10 MB title and body to their bounds, with a marker saying how much was cut", () => {
    const item = toBoardItem(issueNode("t".repeat(10_000_000), "b".repeat(10_000_000)), config.fields);
    expect(item.title).toMatch(/^t+… \[truncated \d+ bytes\]$/);
    expect(item.body).toMatch(/^b+… \[truncated \d+ bytes\]$/);
    expect(bytes(item.title)).toBeLessThanOrEqual(FIELD_LIMITS.titleBytes);
    expect(bytes(item.body)).toBeLessThanOrEqual(FIELD_LIMITS.bodyBytes);
    const cut = Number(/truncated (\d+) bytes/.exec(item.body)?.[1]);
    expect(bytes(item.body.replace(/… \[truncated \d+ bytes\]$/, "")) + cut).toBe(10_000_000);
  });
});
