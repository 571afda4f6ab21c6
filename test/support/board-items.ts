/**
 * Board items for tests of the pure rules (gate, locks, the daemon's re-check): an open issue
 * with every field unset unless the spec sets it. Shared by the workerd and Node tests.
 */
import { BoardItem, emptyFields, type IssueState } from "../../worker/board/board-item.ts";

export type ItemSpec = {
  number: number;
  repo?: string;
  state?: "OPEN" | "CLOSED";
  stateReason?: string | null;
  blockedBy?: IssueState[];
  archived?: boolean;
} & Partial<BoardItem["fields"]>;

export function boardItem(spec: ItemSpec): BoardItem {
  const {
    number,
    repo = "acme/web",
    state = "OPEN",
    stateReason = null,
    blockedBy = [],
    archived = false,
    ...fields
  } = spec;
  return BoardItem.parse({
    itemId: `PVTI_${repo}_${number}`,
    contentType: "Issue",
    contentId: `I_${repo}_${number}`,
    repo,
    number,
    title: `Issue ${number}`,
    url: `https://github.com/${repo}/issues/${number}`,
    state,
    stateReason,
    isArchived: archived,
    updatedAt: "2026-05-01T00:00:00Z",
    blockedBy,
    fields: { ...emptyFields(), ...fields },
  });
}
