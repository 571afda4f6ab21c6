/**
 * zod schemas for the responses to the documents of `queries.ts`, and the mapping of a
 * project item onto the normalized BoardItem (field values by configured field name).
 * Pure; the board client parses every GraphQL response through these.
 */
import { z } from "zod";
import type { FieldNames } from "../config/workspace-config.ts";
import { boundText } from "../storage/bound-text.ts";
import { FIELD_LIMITS } from "../storage/limits.ts";
import { emptyFields, type BoardItem, type FieldRole } from "./board-item.ts";

export const RateLimit = z.object({
  cost: z.number(),
  remaining: z.number(),
  limit: z.number(),
  resetAt: z.string(),
  used: z.number(),
});
export type RateLimit = z.infer<typeof RateLimit>;

const repository = z.object({ nameWithOwner: z.string() });
const fieldName = z.object({ name: z.string().optional() }).nullish();

const FieldValue = z.union([
  z.object({
    __typename: z.literal("ProjectV2ItemFieldTextValue"),
    text: z.string().nullable(),
    field: fieldName,
  }),
  z.object({
    __typename: z.literal("ProjectV2ItemFieldSingleSelectValue"),
    name: z.string().nullable(),
    optionId: z.string().nullable(),
    field: fieldName,
  }),
  z.object({
    __typename: z.literal("ProjectV2ItemFieldNumberValue"),
    number: z.number().nullable(),
    field: fieldName,
  }),
  z.object({
    __typename: z.literal("ProjectV2ItemFieldDateValue"),
    date: z.string().nullable(),
    field: fieldName,
  }),
  // Value types the documents do not select (labels, users, iterations…) arrive bare.
  z.object({ __typename: z.string() }).transform(() => ({ __typename: "Other" as const })),
]);
export const FieldValues = z.object({ nodes: z.array(FieldValue.nullable()) });

const IssueContent = z.object({
  __typename: z.literal("Issue"),
  id: z.string(),
  number: z.number().int(),
  title: z.string(),
  url: z.string(),
  body: z.string().nullish(),
  state: z.enum(["OPEN", "CLOSED"]),
  stateReason: z.string().nullish(),
  repository,
  blockedBy: z
    .object({
      nodes: z.array(
        z
          .object({
            number: z.number().int(),
            state: z.enum(["OPEN", "CLOSED"]),
            stateReason: z.string().nullish(),
            repository,
          })
          .nullable(),
      ),
    })
    .nullish(),
});

const PullRequestContent = z.object({
  __typename: z.literal("PullRequest"),
  id: z.string(),
  number: z.number().int(),
  title: z.string(),
  url: z.string(),
  prState: z.enum(["OPEN", "CLOSED", "MERGED"]),
  merged: z.boolean(),
  repository,
  closingIssuesReferences: z
    .object({ nodes: z.array(z.object({ number: z.number().int(), repository }).nullable()) })
    .nullish(),
});

const DraftContent = z.object({ __typename: z.literal("DraftIssue"), id: z.string(), title: z.string() });

export const ItemNode = z.object({
  id: z.string(),
  type: z.string(),
  isArchived: z.boolean(),
  updatedAt: z.string(),
  fieldValues: FieldValues,
  content: z.discriminatedUnion("__typename", [IssueContent, PullRequestContent, DraftContent]).nullable(),
});
export type ItemNode = z.infer<typeof ItemNode>;

export const ProjectFieldsResponse = z.object({
  organization: z
    .object({
      projectV2: z
        .object({
          id: z.string(),
          title: z.string(),
          fields: z.object({
            nodes: z.array(
              z
                .object({
                  id: z.string(),
                  name: z.string(),
                  dataType: z.string(),
                  options: z.array(z.object({ id: z.string(), name: z.string() })).optional(),
                })
                .nullable(),
            ),
          }),
        })
        .nullable(),
    })
    .nullable(),
  rateLimit: RateLimit.nullish(),
});

export const ItemsPageResponse = z.object({
  organization: z
    .object({
      projectV2: z
        .object({
          items: z.object({
            totalCount: z.number().int().optional(),
            pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
            nodes: z.array(ItemNode.nullable()),
          }),
        })
        .nullable(),
    })
    .nullable(),
  rateLimit: RateLimit.nullish(),
});

export const ItemsScanResponse = z.object({
  organization: z
    .object({
      projectV2: z
        .object({
          items: z.object({
            pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
            nodes: z.array(
              z
                .object({
                  id: z.string(),
                  updatedAt: z.string(),
                  isArchived: z.boolean(),
                  content: z
                    .union([
                      z.object({
                        __typename: z.literal("Issue"),
                        state: z.enum(["OPEN", "CLOSED"]),
                        stateReason: z.string().nullish(),
                      }),
                      z.object({ __typename: z.literal("PullRequest"), prState: z.string() }),
                      z.object({ __typename: z.string() }),
                    ])
                    .nullish(),
                })
                .nullable(),
            ),
          }),
        })
        .nullable(),
    })
    .nullable(),
  rateLimit: RateLimit.nullish(),
});

/** `nodes(ids:)` answers `{}` for an id that is not a project item, null for an unknown id. */
export const ItemsByIdResponse = z.object({
  nodes: z.array(
    z
      .union([
        ItemNode,
        z
          .object({})
          .strict()
          .transform(() => null),
      ])
      .nullable(),
  ),
  rateLimit: RateLimit.nullish(),
});

export const ViewerResponse = z.object({
  viewer: z.object({ login: z.string() }),
  rateLimit: RateLimit.nullish(),
});

export const ReadBackResponse = z.object({
  node: z.object({ id: z.string(), updatedAt: z.string(), fieldValues: FieldValues }).nullable(),
  rateLimit: RateLimit.nullish(),
});

export type FieldValuesByRole = BoardItem["fields"];

const ROLES: readonly FieldRole[] = [
  "status",
  "dependsOn",
  "area",
  "neededFiles",
  "lockScope",
  "lockKey",
  "claimOwner",
  "leaseExpires",
  "lastHeartbeat",
  "priority",
  "agentMode",
  "baseBranch",
];

/** Field values keyed by role, matching configured field names case-insensitively. */
export function fieldValuesByRole(values: z.infer<typeof FieldValues>, names: FieldNames): FieldValuesByRole {
  const roles = new Map<string, FieldRole>();
  for (const role of ROLES) roles.set(names[role].trim().toLowerCase(), role);
  const out: FieldValuesByRole = emptyFields();
  for (const value of values.nodes) {
    if (value === null || value.__typename === "Other") continue;
    const role = roles.get(value.field?.name?.trim().toLowerCase() ?? "");
    if (role === undefined) continue;
    const text =
      "text" in value
        ? value.text
        : "optionId" in value
          ? value.name
          : "number" in value
            ? value.number
            : value.date;
    out[role] = text === null || text === "" ? null : String(text);
  }
  return out;
}

/** The normalized BoardItem of one project item node. */
export function toBoardItem(node: ItemNode, names: FieldNames): BoardItem {
  const fields = fieldValuesByRole(node.fieldValues, names);
  const base = { itemId: node.id, isArchived: node.isArchived, updatedAt: node.updatedAt, fields, body: "" };
  const content = node.content;
  if (content === null || content.__typename === "DraftIssue") {
    return {
      ...base,
      contentType: content === null ? "Redacted" : "DraftIssue",
      contentId: content?.id ?? null,
      repo: null,
      number: null,
      title: boundText(content?.title ?? "", FIELD_LIMITS.titleBytes),
      url: null,
      state: null,
      stateReason: null,
      merged: false,
      blockedBy: [],
      closes: [],
    };
  }
  const common = {
    ...base,
    contentId: content.id,
    repo: content.repository.nameWithOwner,
    number: content.number,
    // Stored as the item's snapshot: bounded (at GitHub's own limits, so nothing GitHub takes is cut).
    title: boundText(content.title, FIELD_LIMITS.titleBytes),
    url: content.url,
  };
  if (content.__typename === "Issue") {
    return {
      ...common,
      contentType: "Issue",
      body: boundText(content.body ?? "", FIELD_LIMITS.bodyBytes),
      state: content.state,
      stateReason: content.stateReason ?? null,
      merged: false,
      blockedBy: (content.blockedBy?.nodes ?? []).flatMap((issue) =>
        issue === null
          ? []
          : [
              {
                repo: issue.repository.nameWithOwner,
                number: issue.number,
                state: issue.state,
                stateReason: issue.stateReason ?? null,
              },
            ],
      ),
      closes: [],
    };
  }
  return {
    ...common,
    contentType: "PullRequest",
    state: content.prState === "OPEN" ? "OPEN" : "CLOSED",
    stateReason: null,
    merged: content.merged,
    blockedBy: [],
    closes: (content.closingIssuesReferences?.nodes ?? []).flatMap((issue) =>
      issue === null ? [] : [{ repo: issue.repository.nameWithOwner, number: issue.number }],
    ),
  };
}
