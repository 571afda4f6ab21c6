/**
 * The RepoQueue's SQLite schema, as the list of migrations its storage has been through, in
 * order (a new table or column is a new entry at the end; an applied entry never changes).
 * Used by the RepoQueue's core at start-up.
 */
import { AGENDA_SCHEMA } from "../objects/agenda.ts";
import { CLOUD_SESSIONS_SCHEMA } from "./cloud-sessions.ts";
import { APPLIED_EVENTS_INDEX } from "./applied-events.ts";
import { MIRROR_SCHEMA } from "./board-mirror.ts";
import { DEPENDENCY_STATES_SCHEMA } from "./dependency-states.ts";
import { META_SCHEMA } from "./meta.ts";
import { MICRO_QUEUE_SCHEMA } from "./micro-queue.ts";
import { APPLIED_FRAMES_INDEX, OUTBOX_SCHEMA } from "./outbox.ts";
import { PENDING_RELEASES_SCHEMA } from "./pending-releases.ts";
import { REVIEWS_SCHEMA } from "../pr/reviews.ts";
import { QA_SESSIONS_SCHEMA } from "./qa-sessions.ts";
import { RUN_SECRET_SCHEMA, RUNS_LAST_EVENT_SCHEMA, RUNS_SCHEMA } from "./runs.ts";
import { RUN_SCOPES_SCHEMA } from "./scope-steering.ts";

export const REPO_QUEUE_MIGRATIONS = [
  `${MICRO_QUEUE_SCHEMA}
   CREATE TABLE applied_events (delivery_id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL);
   ${META_SCHEMA}`,
  RUNS_SCHEMA + OUTBOX_SCHEMA,
  QA_SESSIONS_SCHEMA,
  AGENDA_SCHEMA,
  `${MIRROR_SCHEMA} ${DEPENDENCY_STATES_SCHEMA} ALTER TABLE items DROP COLUMN snapshot;`,
  RUN_SCOPES_SCHEMA,
  RUNS_LAST_EVENT_SCHEMA,
  RUN_SECRET_SCHEMA + APPLIED_FRAMES_INDEX + APPLIED_EVENTS_INDEX,
  CLOUD_SESSIONS_SCHEMA,
  PENDING_RELEASES_SCHEMA,
  REVIEWS_SCHEMA,
] as const;
