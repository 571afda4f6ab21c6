/**
 * The webhook deliveries on their own view, newest first, filterable by text, event and outcome.
 * The Worker's own echoes (sent by its login, or found to echo its own write by the RepoQueue)
 * are folded: each run of them is one row, opened on demand.
 */
import { useState } from "preact/hooks";
import type { Delivery, State } from "./api-schema.ts";
import { Table } from "./table.tsx";
import { dateTime } from "./time.ts";

type Row = { kind: "delivery"; delivery: Delivery } | { kind: "fold"; key: string; echoes: Delivery[] };

export function DeliveriesView(props: { state: State }) {
  const { state } = props;
  const [text, setText] = useState("");
  const [event, setEvent] = useState("");
  const [outcome, setOutcome] = useState("");
  const [showEchoes, setShowEchoes] = useState(false);
  const [opened, setOpened] = useState<ReadonlySet<string>>(new Set());
  const needle = text.trim().toLowerCase();
  const matching = state.deliveries.filter(
    (d) =>
      (event === "" || d.event === event) &&
      (outcome === "" || d.outcome === outcome) &&
      (needle === "" ||
        [d.event, d.action, d.outcome, d.repo, d.detail, d.sender, d.id].some((v) =>
          v?.toLowerCase().includes(needle),
        )),
  );
  const rows: Row[] = [];
  for (const delivery of matching) {
    const last = rows.at(-1);
    if (!delivery.echo || showEchoes) rows.push({ kind: "delivery", delivery });
    else if (last?.kind === "fold") last.echoes.push(delivery);
    else rows.push({ kind: "fold", key: delivery.id, echoes: [delivery] });
  }
  const shown: Row[] = rows.flatMap((row) =>
    row.kind === "fold" && opened.has(row.key)
      ? row.echoes.map((delivery): Row => ({ kind: "delivery", delivery }))
      : [row],
  );
  const echoes = matching.filter((d) => d.echo).length;
  const options = (values: string[]) =>
    [...new Set(values)].sort().map((value) => <option value={value}>{value}</option>);
  return (
    <section class="panel deliveries" aria-labelledby="deliveries-heading">
      <h2 id="deliveries-heading">Deliveries</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Filter
          <input
            type="search"
            value={text}
            placeholder="repo, event, detail…"
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
        <label>
          Event
          <select value={event} onChange={(e) => setEvent(e.currentTarget.value)}>
            <option value="">all</option>
            {options(state.deliveries.map((d) => d.event))}
          </select>
        </label>
        <label>
          Outcome
          <select value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)}>
            <option value="">all</option>
            {options(state.deliveries.map((d) => d.outcome))}
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={showEchoes}
            onChange={(e) => setShowEchoes(e.currentTarget.checked)}
          />
          Show the Worker's own echoes
        </label>
      </form>
      <p class="muted" id="deliveries-summary">
        {matching.length} of the last {state.deliveries.length} deliveries ({state.deliveryCount} kept)
        {showEchoes ? "" : `; ${echoes} of the Worker's own echoes folded`}.
      </p>
      <Table<Row>
        caption="Webhook deliveries, newest first"
        empty="No delivery matches."
        rows={shown}
        rowKey={(row) => (row.kind === "fold" ? `fold-${row.key}` : row.delivery.id)}
        rowClass={(row) => (row.kind === "fold" ? "fold" : row.delivery.echo ? "echo" : undefined)}
        columns={[
          {
            label: "Received",
            cell: (row) =>
              dateTime(row.kind === "fold" ? (row.echoes[0]?.receivedAt ?? "") : row.delivery.receivedAt),
          },
          {
            label: "Event",
            cell: (row) =>
              row.kind === "fold"
                ? `${row.echoes.length} ${row.echoes.length === 1 ? "echo" : "echoes"} of the Worker's own writes`
                : `${row.delivery.event}${row.delivery.action ? `.${row.delivery.action}` : ""}`,
          },
          { label: "Outcome", cell: (row) => (row.kind === "fold" ? "" : row.delivery.outcome) },
          { label: "Repo", cell: (row) => (row.kind === "fold" ? "" : (row.delivery.repo ?? "")) },
          { label: "Sender", cell: (row) => (row.kind === "fold" ? "" : (row.delivery.sender ?? "")) },
          {
            label: "Detail",
            cell: (row) =>
              row.kind === "fold" ? (
                <button type="button" onClick={() => setOpened(new Set([...opened, row.key]))}>
                  Show them
                </button>
              ) : (
                (row.delivery.detail ?? "")
              ),
          },
        ]}
      />
    </section>
  );
}
