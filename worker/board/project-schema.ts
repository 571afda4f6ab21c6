/**
 * The project's field configuration as the board client needs it for writes: the project
 * id, each field's id and type by name, and single-select option ids by name. Pure; built
 * from the fields query response and cached by the board client.
 */
import { z } from "zod";
import { BoardSchemaError } from "./board-errors.ts";
import type { FieldWrite } from "./queries.ts";
import type { ProjectFieldsResponse } from "./responses.ts";

export const ProjectField = z.object({
  id: z.string(),
  name: z.string(),
  dataType: z.string(),
  options: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type ProjectField = z.infer<typeof ProjectField>;

/** Also the shape a Durable Object keeps the schema in, between reads. */
export const ProjectSchema = z.object({
  projectId: z.string(),
  title: z.string(),
  /** By lower-cased field name. */
  fields: z.record(z.string(), ProjectField),
});
export type ProjectSchema = z.infer<typeof ProjectSchema>;

export function toProjectSchema(
  response: z.infer<typeof ProjectFieldsResponse>,
  project: { org: string; number: number },
): ProjectSchema {
  const node = response.organization?.projectV2;
  if (node === null || node === undefined) {
    throw new BoardSchemaError(
      `project ${project.org}#${project.number} was not found or is not visible`,
      "(project)",
    );
  }
  const fields: Record<string, ProjectField> = {};
  for (const field of node.fields.nodes) {
    if (field === null) continue;
    fields[field.name.trim().toLowerCase()] = {
      id: field.id,
      name: field.name,
      dataType: field.dataType,
      options: field.options ?? [],
    };
  }
  return { projectId: node.id, title: node.title, fields };
}

export function findField(schema: ProjectSchema, name: string): ProjectField {
  const field = schema.fields[name.trim().toLowerCase()];
  if (field === undefined) throw new BoardSchemaError(`the project has no field "${name}"`, name);
  return field;
}

/** The value to write for `text` into the field: an option id for single-select fields. */
export function fieldWrite(
  schema: ProjectSchema,
  fieldName: string,
  text: string,
): { fieldId: string; value: FieldWrite } {
  const field = findField(schema, fieldName);
  if (field.dataType !== "SINGLE_SELECT") return { fieldId: field.id, value: { text } };
  const wanted = text.trim().toLowerCase();
  const option = field.options.find((candidate) => candidate.name.trim().toLowerCase() === wanted);
  if (option === undefined) {
    throw new BoardSchemaError(`field "${field.name}" has no option "${text}"`, field.name, text);
  }
  return { fieldId: field.id, value: { singleSelectOptionId: option.id } };
}
