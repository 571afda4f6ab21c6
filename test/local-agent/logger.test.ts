import { describe, expect, it } from "vitest";
import { createTextLogger } from "../../local-agent/logger.ts";

describe("the daemon's readable log", () => {
  it("prints one line per event: time, level, event, then key=value fields, quoting text with spaces", () => {
    const lines: string[] = [];
    const logger = createTextLogger({ write: (chunk: string) => lines.push(chunk) }).child({
      repo: "acme/widgets",
    });
    logger.warn("dispatch_refused", { runId: "widgets-7-f3", reason: "base is dirty", attempt: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d WARN {2}dispatch_refused repo=acme\/widgets runId=widgets-7-f3 reason="base is dirty" attempt=2\n$/,
    );
  });
});
