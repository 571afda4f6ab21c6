/**
 * The agent's own report of a run, for its pull request's description: the file it was asked
 * to write (`WORKER_FACTORY_REPORT_FILE`, `<runDir>/report.md`), else Codex's last message
 * (`codex exec -o`), else the last message of a live session; split into a summary and what
 * it says it ran to test (a "Testing" section or line). Used by run-work.ts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

export interface AgentReport {
  summary: string;
  testing: string[];
}

export const REPORT_FILE = "report.md";
const LAST_MESSAGE_FILE = "last-message.md";
const MAX_SUMMARY = 4000;
const MAX_TESTING = 50;

const TESTING = /^(testing|tests|tested|how (i|it was) tested|verification|checks run)$/i;
const SUMMARY = /^(summary|what changed|changes|what i changed)$/i;
/** `Testing: npm test` on one line. */
const LABEL_LINE = /^\s*\**\s*(testing|tests|tested|verification)\s*\**\s*:\s*(\S.*)$/i;

/** The name of a heading line (`## Testing`, `**Testing**`, `Testing:`), or null. */
function headingOf(line: string): string | null {
  const match =
    /^\s*#{1,6}\s+(.+?)\s*#*\s*$/.exec(line) ??
    /^\s*\*\*(.+?):?\*\*:?\s*$/.exec(line) ??
    /^\s*([A-Za-z][A-Za-z ()'/-]{0,40}):\s*$/.exec(line);
  return match?.[1]?.trim() ?? null;
}

function readText(file: string): string | null {
  try {
    const text = readFileSync(file, "utf8").trim();
    return text === "" ? null : text;
  } catch {
    return null;
  }
}

/** The report text of a finished run, from the first source that has one. */
export function reportText(runDir: string, lastMessage: string | null): string | null {
  return (
    readText(path.join(runDir, REPORT_FILE)) ??
    readText(path.join(runDir, LAST_MESSAGE_FILE)) ??
    (lastMessage?.trim() || null)
  );
}

const bullet = (line: string): string =>
  line
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?/, "")
    .replace(/^`{3}.*$/, "")
    .trim();

/** Splits a report into its summary and its testing lines. */
export function parseReport(text: string | null): AgentReport {
  if (text === null) return { summary: "", testing: [] };
  const summary: string[] = [];
  const rest: string[] = [];
  const testing: string[] = [];
  let section: "summary" | "testing" | "other" | null = null;
  for (const line of text.split(/\r?\n/)) {
    const label = LABEL_LINE.exec(line);
    if (label) {
      testing.push(bullet(label[2] ?? ""));
      continue;
    }
    const heading = headingOf(line);
    if (heading !== null) {
      section = TESTING.test(heading) ? "testing" : SUMMARY.test(heading) ? "summary" : "other";
      if (section !== "other") continue;
    }
    if (section === "testing") testing.push(bullet(line));
    else if (section === "summary") summary.push(line);
    else rest.push(line);
  }
  return {
    summary: (summary.join("\n").trim() || rest.join("\n").trim()).slice(0, MAX_SUMMARY),
    testing: testing
      .filter((entry) => entry !== "")
      .slice(0, MAX_TESTING)
      .map((entry) => entry.slice(0, 1000)),
  };
}
