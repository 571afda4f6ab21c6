/**
 * What the project filter (`items(query:)`) sees of an item: its field values as the board
 * shows them, its content's type, state, repo and title. Used by the store's item reads.
 */
import type { EmulatorStore } from "./emulator-store.ts";
import { displayValue } from "./field-values.ts";
import { normalizeFieldName, type FilterableItem } from "./item-filter.ts";
import type { Item, Project } from "./state-schema.ts";

export function filterableItem(store: EmulatorStore, project: Project, item: Item): FilterableItem {
  const values = new Map<string, string>();
  for (const field of project.fields) {
    const stored = item.values[field.id];
    if (stored !== undefined) values.set(normalizeFieldName(field.name), displayValue(field, stored));
  }
  const content = store.node(item.content.id);
  const record = content?.kind === "issue" || content?.kind === "pullRequest" ? content.record : null;
  return {
    archived: item.archivedAt !== null,
    contentType: item.content.type,
    open: record === null || record.state === "OPEN",
    repo: record?.repo ?? null,
    title: store.itemTitle(item),
    values,
  };
}
