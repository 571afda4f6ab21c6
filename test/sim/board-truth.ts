/**
 * What the board really says, read from the emulator's store in the same process (no API
 * call, so the simulation's own looks cost no GitHub budget and change no rate limit): each
 * item of the project as a `BoardItem`, the shape every lock and gate rule works on.
 */
import type { EmulatorStore } from "../../emulator/store/emulator-store.ts";
import { displayValue } from "../../emulator/store/field-values.ts";
import { emptyFields, type BoardItem, type FieldRole } from "../../worker/board/board-item.ts";
import type { WorkspaceConfig } from "../../worker/config/workspace-config.ts";

export function boardTruth(store: EmulatorStore, config: WorkspaceConfig): BoardItem[] {
  const project = store.projectByNumber(config.project.org, config.project.number);
  if (project === undefined) return [];
  const roles = Object.entries(config.fields) as Array<[FieldRole, string]>;
  return store.state.items
    .filter((item) => item.projectId === project.id)
    .flatMap((item): BoardItem[] => {
      if (item.content.type !== "Issue") return [];
      const issue = store.issue(item.content.id);
      const fields = emptyFields();
      for (const [role, name] of roles) {
        const field = store.fieldByName(project, name);
        const stored = field === undefined ? undefined : item.values[field.id];
        fields[role] = field === undefined || stored === undefined ? null : displayValue(field, stored);
      }
      return [
        {
          itemId: item.id,
          contentType: "Issue",
          contentId: issue.id,
          repo: issue.repo,
          number: issue.number,
          title: issue.title,
          url: null,
          body: issue.body,
          state: issue.state,
          stateReason: issue.stateReason,
          merged: false,
          isArchived: item.archivedAt !== null,
          updatedAt: item.updatedAt,
          fields,
          blockedBy: [],
          closes: [],
        },
      ];
    });
}
