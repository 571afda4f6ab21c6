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
} as const;
