/**
 * Applies one routed webhook event to the repo's mirror as a delta (DESIGN "Events, not
 * re-reads"): a field edit's `to`, an issue's or PR's new state. Only a payload that lacks
 * what is needed asks for one item read. The dispatcher's own echoes change nothing. Says
 * whether the gate must look again, and which completions and index changes the supervisor
 * must fan out. Plain module, used by the repo loop.
 */
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import type { BoardItem, FieldRole, IssueState } from "../board/board-item.ts";
import { dependencyRefs } from "../board/gate.ts";
import { issueRefKey, sameRepo } from "../board/issue-refs.ts";
import type { WorkspaceEvent } from "../events/normalize-event.ts";
import { laterStamp, OWN_WRITE_MEMORY_MS, type BoardMirror } from "./board-mirror.ts";

/** Changes to the supervisor's routing and dependency indexes. */
export interface IndexDelta {
  /** The whole index of the repo (after a full read) instead of a change to it. */
  replace: boolean;
  items: Array<{ itemId: string; contentId: string | null; number: number | null }>;
  removed: string[];
  /** For each item listed, the issues in other repos it waits on (`owner/repo#n`, lowercase). */
  waits: Array<{ number: number; blockers: string[] }>;
}

export interface EventEffect {
  /** The mirror changed in a way the gate sees: run a pass. */
  pass: boolean;
  /** Items whose payload lacked what is needed: read them by id. */
  read: string[];
  /** Issues whose completion may have changed (closed, reopened, Status moved). */
  completions: IssueState[];
  index: IndexDelta | null;
  /** The event only echoed a write of the dispatcher's own. */
  echo: boolean;
}

export interface ApplyContext {
  config: WorkspaceConfig;
  mirror: BoardMirror;
  /** The login the dispatcher writes as, when known (webhook `sender` of its echoes). */
  selfLogin: string | null;
  now: number;
}

const NOTHING: EventEffect = { pass: false, read: [], completions: [], index: null, echo: false };
const norm = (value: string | null | undefined): string => (value ?? "").trim().toLowerCase();

/** The role a board field name plays (`Lock Key` → lockKey), or null for fields we do not use. */
export function roleOf(config: WorkspaceConfig, fieldName: string): FieldRole | null {
  for (const [role, name] of Object.entries(config.fields)) {
    if (norm(name) === norm(fieldName)) return role as FieldRole;
  }
  return null;
}

/** An item's completion as a dependency sees it. */
export function completionOf(item: BoardItem): IssueState | null {
  if (item.repo === null || item.number === null) return null;
  if (item.contentType === "PullRequest") {
    const stateReason = item.state === "CLOSED" ? (item.merged ? "COMPLETED" : "NOT_PLANNED") : null;
    return { repo: item.repo, number: item.number, state: item.state ?? "OPEN", stateReason };
  }
  return {
    repo: item.repo,
    number: item.number,
    state: item.state ?? "OPEN",
    stateReason: item.stateReason,
    boardStatus: item.fields.status,
  };
}

/** The index entries of items (and their waits on other repos). */
export function indexOf(items: readonly BoardItem[], replace: boolean, removed: string[] = []): IndexDelta {
  return {
    replace,
    items: items.map((item) => ({ itemId: item.itemId, contentId: item.contentId, number: item.number })),
    removed,
    waits: items.flatMap((item) =>
      item.number === null
        ? []
        : [
            {
              number: item.number,
              blockers: dependencyRefs(item)
                .refs.filter(({ ref }) => !sameRepo(ref.repo, item.repo))
                .map(({ ref }) => issueRefKey(ref)),
            },
          ],
    ),
  };
}

export function applyEvent(ctx: ApplyContext, event: WorkspaceEvent): EventEffect {
  switch (event.kind) {
    case "project_item":
      return applyProjectItem(ctx, event);
    case "issue":
      return applyIssue(ctx, event);
    case "pull_request":
      return applyPullRequest(ctx, event);
    case "issue_comment":
    case "check":
      // Checks concern the item's pull request (worker/pr/review-events.ts), not the mirror.
      return NOTHING;
  }
}

type ProjectItemEvent = Extract<WorkspaceEvent, { kind: "project_item" }>;

function applyProjectItem(ctx: ApplyContext, event: ProjectItemEvent): EventEffect {
  const { mirror, now } = ctx;
  const known = mirror.get(event.itemId);
  switch (event.action) {
    case "deleted": {
      const removed = mirror.remove(event.itemId);
      return removed === null
        ? NOTHING
        : { ...NOTHING, pass: true, index: indexOf([], false, [event.itemId]) };
    }
    case "archived":
      if (known === null) return { ...NOTHING, read: [event.itemId] };
      mirror.update(
        event.itemId,
        (item) => ({ ...item, isArchived: true, updatedAt: stamp(item, event) }),
        now,
      );
      return { ...NOTHING, pass: true };
    case "reordered":
      return NOTHING;
    case "edited":
      return applyFieldEdit(ctx, event, known);
    default:
      // created, restored, converted: the payload has no field values; read the item once.
      return { ...NOTHING, read: [event.itemId] };
  }
}

function applyFieldEdit(ctx: ApplyContext, event: ProjectItemEvent, known: BoardItem | null): EventEffect {
  const { mirror, config, now } = ctx;
  const change = event.change;
  if (known === null || change === null || !change.hasValues || change.fieldName === null)
    return { ...NOTHING, read: [event.itemId] };
  const role = roleOf(config, change.fieldName);
  if (role === null) {
    mirror.update(event.itemId, (item) => ({ ...item, updatedAt: stamp(item, event) }), now);
    return NOTHING;
  }
  const current = known.fields[role];
  if (norm(current) === norm(change.to)) {
    // Our own write (already applied when it was made), or a value that did not change.
    mirror.update(event.itemId, (item) => ({ ...item, updatedAt: stamp(item, event) }), now);
    return { ...NOTHING, echo: ctx.selfLogin !== null && event.sender === ctx.selfLogin };
  }
  const ours = ctx.selfLogin !== null && event.sender === ctx.selfLogin;
  if (ours && mirror.wroteRecently(event.itemId, role, change.to, now - OWN_WRITE_MEMORY_MS)) {
    // A late echo of an older write of ours: the board has moved on. `updatedAt` is left
    // alone, so if this guess is wrong the next scan still sees the item as changed.
    return { ...NOTHING, echo: true };
  }
  if (olderThan(event.updatedAt, known.updatedAt)) {
    // Overtaken by a later change (webhooks arrive in any order): the payload's value may be
    // stale, and a scan would not notice since the mirror's stamp is the later one. Read it.
    return { ...NOTHING, read: [event.itemId] };
  }
  const updated = mirror.update(
    event.itemId,
    (item) => ({ ...item, fields: { ...item.fields, [role]: change.to }, updatedAt: stamp(item, event) }),
    now,
  );
  if (updated === null) return NOTHING;
  const completion = role === "status" ? completionOf(updated) : null;
  const index = role === "dependsOn" ? indexOf([updated], false) : null;
  return { pass: true, read: [], completions: completion ? [completion] : [], index, echo: false };
}

type IssueEvent = Extract<WorkspaceEvent, { kind: "issue" }>;

function applyIssue(ctx: ApplyContext, event: IssueEvent): EventEffect {
  const { mirror, now } = ctx;
  const known = mirror.byContentId(event.contentId);
  const state = event.state === "closed" ? "CLOSED" : "OPEN";
  const stateReason = event.stateReason === null ? null : event.stateReason.toUpperCase();
  switch (event.action) {
    case "closed":
    case "reopened": {
      const completion: IssueState = {
        repo: event.repo,
        number: event.number,
        state,
        stateReason: state === "CLOSED" ? stateReason : null,
        ...(known ? { boardStatus: known.fields.status } : {}),
      };
      if (known === null) return { ...NOTHING, completions: [completion] };
      mirror.update(known.itemId, (item) => ({ ...item, state, stateReason: completion.stateReason }), now);
      return { ...NOTHING, pass: true, completions: [completion] };
    }
    case "edited":
      if (known === null) return NOTHING;
      mirror.update(
        known.itemId,
        (item) => ({ ...item, title: event.title, body: event.body ?? item.body }),
        now,
      );
      return NOTHING;
    case "deleted":
    case "transferred": {
      if (known === null) return NOTHING;
      mirror.remove(known.itemId);
      return { ...NOTHING, pass: true, index: indexOf([], false, [known.itemId]) };
    }
    default:
      return NOTHING;
  }
}

type PullRequestEvent = Extract<WorkspaceEvent, { kind: "pull_request" }>;

function applyPullRequest(ctx: ApplyContext, event: PullRequestEvent): EventEffect {
  const known = ctx.mirror.byContentId(event.contentId);
  if (known === null || (event.action !== "closed" && event.action !== "reopened")) return NOTHING;
  const closed = event.action === "closed";
  const updated = ctx.mirror.update(
    known.itemId,
    (item) => ({ ...item, state: closed ? "CLOSED" : "OPEN", merged: closed && event.merged }),
    ctx.now,
  );
  const completion = updated ? completionOf(updated) : null;
  return { ...NOTHING, pass: true, completions: completion ? [completion] : [] };
}

/** `stamp` is strictly earlier than `than` (both known). */
function olderThan(stamp: string | null | undefined, than: string): boolean {
  const at = Date.parse(stamp ?? "");
  const known = Date.parse(than);
  return Number.isFinite(at) && Number.isFinite(known) && at < known;
}

function stamp(item: BoardItem, event: ProjectItemEvent): string {
  return laterStamp(item.updatedAt, event.updatedAt);
}
