/** The meta queue: what the control plane did (steering, QA verdicts, pauses, cross-repo updates), newest first. */
import type { MetaEntry, State } from "./api-schema.ts";
import { ItemLink } from "./item-link.tsx";
import { Table } from "./table.tsx";
import { dateTime } from "./time.ts";

export function OperatorLog(props: { state: State }) {
  return (
    <section class="panel" aria-labelledby="log-heading">
      <h2 id="log-heading">Operator log</h2>
      <Table<MetaEntry>
        caption="What the control plane did, newest first"
        empty="Nothing logged yet."
        rows={props.state.metaQueue}
        rowKey={(entry) => String(entry.id)}
        columns={[
          { label: "When", cell: (entry) => dateTime(entry.at) },
          { label: "Event", cell: (entry) => entry.kind.replaceAll("_", " ") },
          {
            label: "Item",
            cell: (entry) =>
              entry.repo !== null && entry.number !== null ? (
                <ItemLink repo={entry.repo} number={entry.number} />
              ) : (
                (entry.repo ?? "")
              ),
          },
          { label: "Detail", cell: (entry) => entry.detail },
        ]}
      />
    </section>
  );
}
