/**
 * GraphQL views of Projects v2: the project, its fields (plain and single-select), its
 * items and their field values (text, single-select, number, date, and the built-in Title).
 * Same shape as the content views: values or functions of the field's arguments.
 */
import { z } from "zod";
import type { EmulatorStore } from "../store/emulator-store.ts";
import { nodeId, NodePrefix } from "../store/ids.ts";
import type { Item, Project, ProjectField, StoredFieldValue } from "../store/state-schema.ts";
import { connection } from "./connection.ts";
import { actorView } from "./actor-views.ts";
import { issueView, orgView } from "./content-views.ts";
import { pullRequestView } from "./pull-request-views.ts";

const NameArg = z.object({ name: z.string() });
const ItemsArgs = z.looseObject({ query: z.string().nullish() });
const OptionNamesArg = z.looseObject({ names: z.array(z.string()).nullish() });

export function projectView(store: EmulatorStore, project: Project): Record<string, unknown> {
  const org = store.org(project.org);
  return {
    __typename: "ProjectV2",
    id: project.id,
    databaseId: project.databaseId,
    fullDatabaseId: String(project.databaseId),
    number: project.number,
    title: project.title,
    shortDescription: project.shortDescription,
    readme: null,
    public: false,
    closed: project.closed,
    closedAt: null,
    template: false,
    createdAt: project.createdAt,
    updatedAt: project.updatedAt,
    url: `https://github.com/orgs/${project.org}/projects/${project.number}`,
    resourcePath: `/orgs/${project.org}/projects/${project.number}`,
    owner: org === undefined ? null : orgView(store, org),
    creator: actorView("phoenix-human"),
    fields: (args: unknown) => connection(project.fields, args, (field) => fieldView(store, project, field)),
    field: (args: unknown) => {
      const field = store.fieldByName(project, NameArg.parse(args).name);
      return field === undefined ? null : fieldView(store, project, field);
    },
    items: (args: unknown) =>
      connection(store.itemsOfProject(project.id, ItemsArgs.parse(args ?? {}).query), args, (item) =>
        itemView(store, item),
      ),
  };
}

export function fieldView(
  store: EmulatorStore,
  project: Project,
  field: ProjectField,
): Record<string, unknown> {
  const base = {
    id: field.id,
    databaseId: field.databaseId,
    name: field.name,
    dataType: field.dataType,
    createdAt: project.createdAt,
    updatedAt: project.createdAt,
    project: () => projectView(store, project),
  };
  if (field.dataType !== "SINGLE_SELECT") return { __typename: "ProjectV2Field", ...base };
  return {
    __typename: "ProjectV2SingleSelectField",
    ...base,
    options: (args: unknown) => {
      const names = OptionNamesArg.parse(args ?? {}).names?.map((n) => n.toLowerCase());
      return field.options
        .filter((o) => names == null || names.includes(o.name.toLowerCase()))
        .map((o) => ({ ...o, nameHTML: o.name, descriptionHTML: o.description }));
    },
  };
}

function fieldValueView(
  store: EmulatorStore,
  project: Project,
  item: Item,
  field: ProjectField,
  stored: StoredFieldValue,
): Record<string, unknown> {
  const base = {
    id: stored.id,
    databaseId: null,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
    creator: actorView(item.creator),
    field: () => fieldView(store, project, field),
    item: () => itemView(store, item),
  };
  const value = stored.value;
  switch (value.kind) {
    case "text":
      return { __typename: "ProjectV2ItemFieldTextValue", ...base, text: value.text };
    case "number":
      return { __typename: "ProjectV2ItemFieldNumberValue", ...base, number: value.number };
    case "date":
      return { __typename: "ProjectV2ItemFieldDateValue", ...base, date: value.date };
    case "singleSelect": {
      const option = field.options.find((o) => o.id === value.optionId);
      return {
        __typename: "ProjectV2ItemFieldSingleSelectValue",
        ...base,
        optionId: value.optionId,
        name: option?.name ?? null,
        nameHTML: option?.name ?? null,
        color: option?.color ?? "GRAY",
        description: option?.description ?? null,
        descriptionHTML: option?.description ?? null,
      };
    }
  }
}

/** One field's value on an item; the Title field's value is the content's title. */
function valueOf(
  store: EmulatorStore,
  project: Project,
  item: Item,
  field: ProjectField,
): Record<string, unknown> | null {
  if (field.dataType === "TITLE") {
    const title: StoredFieldValue = {
      id: nodeId(NodePrefix.textValue, `${item.id}:${field.id}`),
      value: { kind: "text", text: store.itemTitle(item) },
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
    };
    return fieldValueView(store, project, item, field, title);
  }
  const stored = item.values[field.id];
  return stored === undefined ? null : fieldValueView(store, project, item, field, stored);
}

export function contentView(store: EmulatorStore, item: Item): Record<string, unknown> | null {
  const content = item.content;
  if (content.type === "DraftIssue") {
    return {
      __typename: "DraftIssue",
      id: content.id,
      title: content.title,
      body: content.body,
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
      creator: actorView(item.creator),
    };
  }
  return content.type === "Issue"
    ? issueView(store, store.issue(content.id))
    : pullRequestView(store, store.pullRequest(content.id));
}

export function itemView(store: EmulatorStore, item: Item): Record<string, unknown> {
  const project = () => store.project(item.projectId);
  const types = { Issue: "ISSUE", PullRequest: "PULL_REQUEST", DraftIssue: "DRAFT_ISSUE" } as const;
  return {
    __typename: "ProjectV2Item",
    id: item.id,
    databaseId: item.databaseId,
    fullDatabaseId: String(item.databaseId),
    type: types[item.content.type],
    isArchived: item.archivedAt !== null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    creator: actorView(item.creator),
    project: () => projectView(store, project()),
    content: () => contentView(store, item),
    fieldValues: (args: unknown) => {
      const p = project();
      const values = p.fields.flatMap((field) => valueOf(store, p, item, field) ?? []);
      return connection(values, args, (value) => value);
    },
    fieldValueByName: (args: unknown) => {
      const p = project();
      const field = store.fieldByName(p, NameArg.parse(args).name);
      return field === undefined ? null : valueOf(store, p, item, field);
    },
  };
}
