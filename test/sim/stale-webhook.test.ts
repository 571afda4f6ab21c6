/**
 * A field edit whose webhook arrives after a later change of the item (the fault simulation's
 * seed 13 found it: a claim's echo delivered after its release put the claim back in the
 * mirror, and no scan ever saw the item as changed). The mirror reads the item instead of
 * applying the older value. Runs worker/queue/apply-event.ts over node:sqlite.
 */
import { describe, expect, it } from "vitest";
import type { WorkspaceEvent } from "../../worker/events/normalize-event.ts";
import { applyEvent } from "../../worker/queue/apply-event.ts";
import { BoardMirror, MIRROR_SCHEMA } from "../../worker/queue/board-mirror.ts";
import { boardItem } from "../support/board-items.ts";
import { NodeSql } from "../support/node-sql.ts";
import { simConfig } from "./sim-config.ts";

const config = simConfig();
const LATER = "2031-03-03T10:00:05.000Z";

function mirrorWith(claimOwner: string | null): BoardMirror {
  const sql = new NodeSql();
  sql.exec(MIRROR_SCHEMA);
  const mirror = new BoardMirror(sql);
  const item = {
    ...boardItem({ number: 9, repo: "sim-org/beta", status: "Ready", claimOwner }),
    updatedAt: LATER,
  };
  mirror.upsert(item, 0);
  return mirror;
}

function edit(updatedAt: string, to: string): WorkspaceEvent {
  return {
    kind: "project_item",
    action: "edited",
    itemId: "PVTI_sim-org/beta_9",
    projectId: "P1",
    org: "sim-org",
    contentId: null,
    contentType: "Issue",
    updatedAt,
    change: { fieldNodeId: null, fieldName: "Claim Owner", from: null, to, hasValues: true },
    sender: "worker-factory-bot",
  };
}

describe("a field edit's webhook", () => {
  it("is applied when it is the item's latest change", () => {
    const mirror = mirrorWith(null);
    const ctx = { config, mirror, selfLogin: "worker-factory-bot", now: 1 };
    const effect = applyEvent(ctx, edit("2031-03-03T10:00:09.000Z", "alice"));
    expect(effect.read).toEqual([]);
    expect(mirror.byNumber(9)?.fields.claimOwner).toBe("alice");
  });

  it("that a later change overtook reads the item instead of applying its older value", () => {
    const mirror = mirrorWith(null);
    const ctx = { config, mirror, selfLogin: "worker-factory-bot", now: 1 };
    const effect = applyEvent(ctx, edit("2031-03-03T10:00:01.000Z", "worker-factory/beta-agent-1"));
    expect(effect.read).toEqual(["PVTI_sim-org/beta_9"]);
    expect(mirror.byNumber(9)?.fields.claimOwner).toBeNull();
  });
});
