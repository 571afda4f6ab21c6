/** GitHub's hourly GraphQL budget: what is left, when it resets, and what Worker Factory spent by kind. */
import type { Budget } from "./api-schema.ts";
import { Table } from "./table.tsx";
import { clock } from "./time.ts";

export function BudgetPanel(props: { budget: Budget | null }) {
  const { budget } = props;
  const kinds = Object.entries(budget?.byKind ?? {}).sort((a, b) => b[1].points - a[1].points);
  return (
    <section class="panel budget" aria-labelledby="budget-heading">
      <h2 id="budget-heading">GitHub budget</h2>
      {budget === null || budget.remaining === null ? (
        <p class="muted">No GitHub call yet: nothing known of the budget.</p>
      ) : (
        <p>
          <strong>
            {budget.remaining.toLocaleString()} of {(budget.limit ?? 0).toLocaleString()} points left
          </strong>
          {budget.resetAt ? <span class="muted"> · resets at {clock(budget.resetAt)}</span> : null}
        </p>
      )}
      <p class="muted">
        Worker Factory spent {budget?.totalCost ?? 0} points in {budget?.calls ?? 0} calls.
      </p>
      <Table<[string, { calls: number; points: number }]>
        caption="Spent by kind"
        empty="Nothing spent yet."
        rows={kinds}
        rowKey={([kind]) => kind}
        columns={[
          { label: "Kind", cell: ([kind]) => kind },
          { label: "Points", cell: ([, spent]) => String(spent.points) },
          { label: "Calls", cell: ([, spent]) => String(spent.calls) },
        ]}
      />
    </section>
  );
}
