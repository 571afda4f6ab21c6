/**
 * Turning field values in and out of the store: the GraphQL `ProjectV2FieldValue` input
 * and a human's "Status = Ready" into a stored value (refusing what GitHub refuses), and a
 * stored value into the text the filter and webhooks show. Used by the store and seed.
 */
import { NodePrefix } from "./ids.ts";
import type { FieldValueInput, ProjectField, StoredFieldValue } from "./state-schema.ts";
import { StoreError } from "./store-events.ts";

export interface GraphqlFieldValue {
  text?: string | null;
  number?: number | null;
  date?: string | null;
  singleSelectOptionId?: string | null;
  iterationId?: string | null;
}

export function valueNodePrefix(value: FieldValueInput): string {
  switch (value.kind) {
    case "text":
      return NodePrefix.textValue;
    case "singleSelect":
      return NodePrefix.singleSelectValue;
    case "number":
      return NodePrefix.numberValue;
    case "date":
      return NodePrefix.dateValue;
  }
}

/** The value's text as the board shows it: option name, text, number or ISO date. */
export function displayValue(field: ProjectField, stored: StoredFieldValue): string {
  const value = stored.value;
  switch (value.kind) {
    case "text":
      return value.text;
    case "singleSelect":
      return field.options.find((option) => option.id === value.optionId)?.name ?? "";
    case "number":
      return String(value.number);
    case "date":
      return value.date;
  }
}

function unprocessable(message: string): StoreError {
  return new StoreError("UNPROCESSABLE", message);
}

/** Validates `updateProjectV2ItemFieldValue`'s `value` against the field's type. */
export function valueFromGraphql(field: ProjectField, input: GraphqlFieldValue): FieldValueInput {
  const given = Object.entries(input).filter(([, v]) => v !== undefined && v !== null);
  if (given.length !== 1) {
    throw unprocessable("Only one value can be updated at a time.");
  }
  const mismatch = (): StoreError =>
    unprocessable(`The field of type ${field.dataType.toLowerCase()} cannot be updated with this value.`);
  switch (field.dataType) {
    case "TITLE":
      throw unprocessable("The title field cannot be updated with this mutation.");
    case "TEXT":
      if (typeof input.text !== "string") throw mismatch();
      return { kind: "text", text: input.text };
    case "NUMBER":
      if (typeof input.number !== "number") throw mismatch();
      return { kind: "number", number: input.number };
    case "DATE":
      if (typeof input.date !== "string" || Number.isNaN(Date.parse(input.date))) throw mismatch();
      return { kind: "date", date: input.date.slice(0, 10) };
    case "SINGLE_SELECT": {
      const id = input.singleSelectOptionId;
      if (typeof id !== "string") throw mismatch();
      if (!field.options.some((option) => option.id === id)) {
        throw unprocessable(`The single select option Id does not belong to the field`);
      }
      return { kind: "singleSelect", optionId: id };
    }
  }
}

/** A value as a person types it on the board: option names match case-insensitively. */
export function valueFromHuman(field: ProjectField, raw: string | number): FieldValueInput {
  switch (field.dataType) {
    case "TITLE":
      throw unprocessable(`Field "${field.name}" cannot be edited.`);
    case "TEXT":
      return { kind: "text", text: String(raw) };
    case "NUMBER": {
      const number = typeof raw === "number" ? raw : Number(raw);
      if (Number.isNaN(number)) throw unprocessable(`Field "${field.name}" needs a number.`);
      return { kind: "number", number };
    }
    case "DATE": {
      const text = String(raw);
      if (Number.isNaN(Date.parse(text))) throw unprocessable(`Field "${field.name}" needs a date.`);
      return { kind: "date", date: text.slice(0, 10) };
    }
    case "SINGLE_SELECT": {
      const option = field.options.find((o) => o.name.toLowerCase() === String(raw).toLowerCase());
      if (option === undefined) {
        const names = field.options.map((o) => o.name).join(", ");
        throw unprocessable(`"${String(raw)}" is not an option of "${field.name}" (options: ${names}).`);
      }
      return { kind: "singleSelect", optionId: option.id };
    }
  }
}

export function sameValue(a: FieldValueInput, b: FieldValueInput): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
