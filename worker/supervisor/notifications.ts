/**
 * Outgoing notifications when a person is needed: an item waits for QA, an item was parked
 * after its retries, a person's claim went stale, the GitHub budget runs low. One JSON POST,
 * Slack-compatible (`{"text": ...}`), to the workspace's `notifications.webhookUrl`; each
 * cause is sent at most once (remembered in the supervisor's SQLite), a failed send is logged
 * and never retried or awaited by dispatch. The WorkspaceSupervisor calls `notify`.
 */
import type { Sql } from "../queue/sql.ts";
import type { WorkspaceConfig } from "../config/workspace-config.ts";

export type NotificationCause =
  | { kind: "qa_waiting"; repo: string; number: number; title: string; url: string | null; since: string }
  | { kind: "parked"; repo: string; number: number; title: string; reason: string; runId: string | null }
  | { kind: "stale_claim"; repo: string; number: number; claimOwner: string; leaseExpires: string | null }
  | { kind: "low_budget"; remaining: number; limit: number | null; resetAt: string | null };

export type NotificationKind = NotificationCause["kind"];

/** The identity of a cause: the same key is never sent twice. */
export function causeKey(cause: NotificationCause): string {
  switch (cause.kind) {
    case "qa_waiting":
      return `qa_waiting:${cause.repo}#${cause.number}:${cause.since}`;
    case "parked":
      return `parked:${cause.repo}#${cause.number}:${cause.runId ?? cause.reason}`;
    case "stale_claim":
      return `stale_claim:${cause.repo}#${cause.number}:${cause.claimOwner}:${cause.leaseExpires ?? ""}`;
    case "low_budget":
      return `low_budget:${cause.resetAt ?? "unknown window"}`;
  }
}

/** What a person reads in the chat channel. Board text is quoted as data, never as markup. */
export function notificationText(workspace: string, cause: NotificationCause): string {
  const prefix = `[Worker Factory · ${workspace}]`;
  switch (cause.kind) {
    case "qa_waiting":
      return `${prefix} QA waiting: ${cause.repo}#${cause.number} "${cause.title}"${cause.url ? ` ${cause.url}` : ""} — \`wf qa next\``;
    case "parked":
      return `${prefix} Parked after its retries: ${cause.repo}#${cause.number} "${cause.title}": ${cause.reason} — \`wf explain ${cause.repo}#${cause.number}\`, then \`wf retry\``;
    case "stale_claim":
      return `${prefix} Stale claim: ${cause.repo}#${cause.number} is claimed by ${cause.claimOwner}, whose lease passed ${cause.leaseExpires ?? "(no lease)"} — \`wf release ${cause.repo}#${cause.number}\``;
    case "low_budget":
      return `${prefix} GitHub budget low: ${cause.remaining}${cause.limit === null ? "" : ` of ${cause.limit}`} points left${cause.resetAt ? `, resets ${cause.resetAt}` : ""}`;
  }
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS notifications_sent (
  cause TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT
)`;

export interface SentNotification {
  cause: string;
  kind: string;
  at: string;
  outcome: "sending" | "sent" | "failed";
  detail: string | null;
}

/** The causes already sent, in the supervisor's SQLite; the table is this module's own. */
export class NotificationLog {
  readonly #sql: Sql;
  #ready = false;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  #table(): void {
    if (this.#ready) return;
    this.#sql.exec(SCHEMA);
    this.#ready = true;
  }

  /** True the first time a cause is seen; false ever after. */
  claim(key: string, kind: NotificationKind, now: number): boolean {
    this.#table();
    const inserted = this.#sql
      .exec(
        "INSERT INTO notifications_sent (cause, kind, sent_at, outcome) VALUES (?, ?, ?, 'sending') ON CONFLICT (cause) DO NOTHING RETURNING cause",
        key,
        kind,
        now,
      )
      .toArray();
    return inserted.length > 0;
  }

  settle(key: string, outcome: "sent" | "failed", detail: string | null): void {
    this.#table();
    this.#sql.exec(
      "UPDATE notifications_sent SET outcome = ?, detail = ? WHERE cause = ?",
      outcome,
      detail,
      key,
    );
  }

  recent(limit: number): SentNotification[] {
    this.#table();
    return this.#sql
      .exec<{ cause: string; kind: string; sent_at: number; outcome: string; detail: string | null }>(
        "SELECT * FROM notifications_sent ORDER BY sent_at DESC LIMIT ?",
        limit,
      )
      .toArray()
      .map((row) => ({
        cause: row.cause,
        kind: row.kind,
        at: new Date(row.sent_at).toISOString(),
        // Written by `claim` and `settle` in this module only.
        outcome: row.outcome as SentNotification["outcome"],
        detail: row.detail,
      }));
  }
}

export interface NotifyDeps {
  config: WorkspaceConfig;
  log: NotificationLog;
  fetch: typeof fetch;
  /** Keeps the send alive after the caller returns (`ctx.waitUntil`): dispatch never waits. */
  waitUntil: (work: Promise<unknown>) => void;
  now: () => number;
  /** One structured line per failure (the Worker's logs). */
  report: (event: string, fields: Record<string, unknown>) => void;
}

export type NotifyOutcome = "queued" | "already_sent" | "not_configured" | "not_wanted";

const SEND_TIMEOUT_MS = 5_000;

/** Sends `cause` once, in the background; answers at once with what it did. */
export function notify(deps: NotifyDeps, cause: NotificationCause): NotifyOutcome {
  const settings = deps.config.notifications;
  if (settings.webhookUrl === undefined) return "not_configured";
  if (!settings.on.includes(cause.kind)) return "not_wanted";
  const key = causeKey(cause);
  if (!deps.log.claim(key, cause.kind, deps.now())) return "already_sent";
  const text = notificationText(deps.config.workspace, cause);
  const body = JSON.stringify({ text, workerFactory: { workspace: deps.config.workspace, ...cause } });
  const send = deps
    .fetch(settings.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    })
    .then(async (response) => {
      // The body is drained so the connection is released; its text says why on a refusal.
      const answer = (await response.text()).slice(0, 200);
      if (!response.ok) throw new Error(`answered ${response.status}${answer ? `: ${answer}` : ""}`);
      deps.log.settle(key, "sent", null);
    })
    .catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      deps.log.settle(key, "failed", message);
      deps.report("notification_failed", { cause: key, message });
    });
  deps.waitUntil(send);
  return "queued";
}
