/**
 * Every bound on what Worker Factory stores, in one place: the size of a stored field (longer
 * text is cut with a marker, longer names are refused with 413) and how long and how many
 * journal rows are kept. Pure; the webhook route, the board responses, the supervisor's and
 * the RepoQueue's journals read it. The README's "Limits" table mirrors it.
 */
const DAY_MS = 24 * 60 * 60 * 1000;

/** Bytes of UTF-8, per field. Cloudflare caps one stored value (and one row) at 2 MB. */
export const FIELD_LIMITS = {
  /** Names and ids from a delivery (repo, node ids, logins, action, hook id): refused past it. */
  identifierBytes: 256,
  /** Issue and PR titles: GitHub allows 256 characters, so nothing GitHub takes is cut. */
  titleBytes: 1024,
  /** Issue, PR and comment bodies: GitHub allows 65,536 characters (at most 4 bytes each). */
  bodyBytes: 256 * 1024,
  /**
   * A field value a delivery reports changed (from/to). Structured (a Needed Files list, a Lock
   * Key): never cut, since a cut list would lock less than it says; refused (413) past it.
   */
  fieldValueBytes: 16 * 1024,
  /** Reasons, details and notes the control plane records about what it did. */
  detailBytes: 4 * 1024,
  /** Steering text handed to a running agent (a comment with its author line, an operator's note). */
  steerTextBytes: 257 * 1024,
  /** A normalized event as the supervisor journals it, whatever its fields. */
  eventBytes: 512 * 1024,
} as const;

export interface Retention {
  /** Rows older than this are dropped. */
  maxAgeMs: number;
  /** Past this many rows, the oldest are dropped. */
  maxRows: number;
}

/** How long and how many rows each journal keeps; pruned by the owning object's alarm. */
export const RETENTION = {
  /** The supervisor's delivery journal: at least GitHub's redelivery window, for dedupe. */
  deliveries: { maxAgeMs: 8 * DAY_MS, maxRows: 100_000 },
  /** Events not yet routed; past this, reconciliation (a full board read) covers them. */
  inbox: { maxAgeMs: 3 * DAY_MS, maxRows: 10_000 },
  /** The workspace meta queue (operator log). */
  metaQueue: { maxAgeMs: 30 * DAY_MS, maxRows: 10_000 },
  /** Agent frames a RepoQueue applied, kept to answer a resent frame the same way. */
  appliedFrames: { maxAgeMs: 7 * DAY_MS, maxRows: 20_000 },
  /** Deliveries a RepoQueue applied, for dedupe (as long as the supervisor's). */
  appliedEvents: { maxAgeMs: 8 * DAY_MS, maxRows: 100_000 },
  /** Finished runs (live runs are never pruned). */
  finishedRuns: { maxAgeMs: 30 * DAY_MS, maxRows: 2_000 },
} as const satisfies Record<string, Retention>;
