/**
 * Deterministic GitHub-like identifiers: node ids with GitHub's type prefixes (`PVT_`,
 * `PVTI_`, `PVTSSF_`, `I_`, …) and 31-bit database ids, both derived from a stable key so
 * that one seed always yields the same ids. Used by the seed loader and the store.
 */
import { createHash } from "node:crypto";

function digest(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}

export function nodeId(prefix: string, key: string): string {
  return `${prefix}_${digest(key).toString("base64url").slice(0, 18)}`;
}

/** A positive id that fits GraphQL's 32-bit `Int`. */
export function databaseId(key: string): number {
  return (digest(`db:${key}`).readUInt32BE(0) & 0x3fffffff) + 1;
}

/** Single-select option ids on GitHub are 8 hex characters. */
export function optionId(key: string): string {
  return digest(`option:${key}`).toString("hex").slice(0, 8);
}

export const NodePrefix = {
  org: "O",
  repo: "R",
  issue: "I",
  pullRequest: "PR",
  project: "PVT",
  item: "PVTI",
  draftIssue: "DI",
  field: "PVTF",
  singleSelectField: "PVTSSF",
  textValue: "PVTFTV",
  singleSelectValue: "PVTFSSV",
  numberValue: "PVTFNV",
  dateValue: "PVTFDV",
  label: "LA",
  checkSuite: "CS",
  checkRun: "CR",
  statusContext: "SC",
  comment: "IC",
} as const;

/** A reversible node id, for records the emulator does not store (refs, commits): `REF_<base64url>`. */
export function encodedNodeId(prefix: string, parts: readonly string[]): string {
  return `${prefix}_${Buffer.from(parts.join("\u0000")).toString("base64url")}`;
}

export function decodeNodeId(prefix: string, id: string): string[] | null {
  if (!id.startsWith(`${prefix}_`)) return null;
  const decoded = Buffer.from(id.slice(prefix.length + 1), "base64url").toString("utf8");
  const parts = decoded.split("\u0000");
  return parts.length > 1 ? parts : null;
}
