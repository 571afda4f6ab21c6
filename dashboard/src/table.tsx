/**
 * A table that reads at any width: a header row on desktop; at phone width each row becomes a
 * card whose cells carry their column's label (CSS, from `data-label`).
 */
import type { ComponentChildren } from "preact";

export interface Column<T> {
  label: string;
  cell: (row: T) => ComponentChildren;
}

export function Table<T>(props: {
  caption: string;
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  rowId?: (row: T) => string | undefined;
  rowClass?: (row: T) => string | undefined;
  empty: string;
}): ComponentChildren {
  if (props.rows.length === 0) {
    return (
      <p class="empty">
        <strong>{props.caption}:</strong> <span class="muted">{props.empty}</span>
      </p>
    );
  }
  return (
    <table class="cards">
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((column) => (
            <th scope="col" key={column.label}>
              {column.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={props.rowKey(row)} id={props.rowId?.(row)} class={props.rowClass?.(row)}>
            {props.columns.map((column) => (
              <td data-label={column.label} key={column.label}>
                {column.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
