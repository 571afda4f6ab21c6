/**
 * Lock releases the board still owes: a finished run's release is recorded with the run's
 * end, in one transaction, and crossed off once GitHub took the write. A release that failed
 * (a 5xx, a secondary limit, the object restarted between the two) is retried by the next
 * gate pass, so a finished run never leaves its item claimed on the board for ever.
 * Used by the repo loop (finishRun) and the gate pass.
 */
import type { BoardItem } from "../board/board-item.ts";
import type { Sql } from "./sql.ts";

export const PENDING_RELEASES_SCHEMA = `
CREATE TABLE pending_releases (
  item_id TEXT PRIMARY KEY,
  number INTEGER NOT NULL,
  run_id TEXT NOT NULL,
  status TEXT,
  since INTEGER NOT NULL,
  keep_lock INTEGER NOT NULL DEFAULT 0
);`;

/** How soon the agenda retries a release GitHub refused. */
export const RELEASE_RETRY_MS = 30_000;

export interface PendingRelease {
  itemId: string;
  number: number;
  runId: string;
  /** Status to write with the release, or null to leave it. */
  status: string | null;
  since: number;
  /**
   * A succeeded run's hand-over to its pull request (finish-run.ts): only the lease fields are
   * cleared and the Status written; the Lock Key and Claim Owner stay with the PR.
   */
  keepLock: boolean;
}

type Row = {
  item_id: string;
  number: number;
  run_id: string;
  status: string | null;
  since: number;
  keep_lock: number;
};

export class PendingReleases {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  add(release: PendingRelease): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO pending_releases (item_id, number, run_id, status, since, keep_lock) VALUES (?, ?, ?, ?, ?, ?)",
      release.itemId,
      release.number,
      release.runId,
      release.status,
      release.since,
      release.keepLock ? 1 : 0,
    );
  }

  /** Crosses off the release of `runId` (a newer run's release of the same item stays). */
  done(itemId: string, runId: string): void {
    this.#sql.exec("DELETE FROM pending_releases WHERE item_id = ? AND run_id = ?", itemId, runId);
  }

  list(): PendingRelease[] {
    return this.#sql
      .exec<Row>("SELECT * FROM pending_releases ORDER BY since")
      .toArray()
      .map((row) => ({
        itemId: row.item_id,
        number: row.number,
        runId: row.run_id,
        status: row.status,
        since: row.since,
        keepLock: row.keep_lock === 1,
      }));
  }

  count(): number {
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM pending_releases").one().n;
  }
}

/**
 * What a retry writes: the release's Status only while the board still shows the Status the
 * claim wrote (a person may have moved the item since; their Status stands), and nothing when
 * the claim is gone already or someone else's.
 */
export function retryWrite(
  item: BoardItem,
  release: PendingRelease,
  own: { isOwnClaim: (owner: string) => boolean; inProgress: string },
): { status: string | null } | null {
  const owner = item.fields.claimOwner?.trim() ?? "";
  if (owner !== "" && !own.isOwnClaim(owner)) return null;
  const norm = (value: string | null | undefined) => (value ?? "").trim().toLowerCase();
  const claimedStatus = norm(item.fields.status) === norm(own.inProgress);
  if (owner === "" && !claimedStatus && (item.fields.lockKey ?? "") === "") return null;
  return { status: claimedStatus ? release.status : null };
}
