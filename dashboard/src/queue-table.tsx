/**
 * A repo's micro queue: each item not running, its verdict and its reason in words (with the
 * holder or dependency linked), attempts, and what the operator can do: retry now (a backoff
 * cut short) or unpark (an item parked after its retries).
 */
import type { QueueItem, RepoState, State } from "./api-schema.ts";
import { useNow, useStore } from "./hooks.ts";
import { ItemLink } from "./item-link.tsx";
import { itemAnchor } from "./links.ts";
import { PrLinks } from "./pr-links.tsx";
import { ReasonText } from "./reason-text.tsx";
import { Table } from "./table.tsx";
import { clock, relative } from "./time.ts";
import { verdictWords } from "./words.ts";

export function QueueTable(props: { repo: RepoState; state: State }) {
  const { repo, state } = props;
  const store = useStore();
  const now = useNow();
  const rows = repo.items.filter((item) => item.state === "queued" || item.state === "parked");
  const item = (entry: QueueItem): string => `${repo.name}#${entry.number}`;
  return (
    <Table<QueueItem>
      caption="Queue"
      empty="Nothing waits in this repo."
      rows={rows}
      rowKey={(entry) => String(entry.number)}
      rowId={(entry) => itemAnchor(repo.name, entry.number)}
      columns={[
        {
          label: "Item",
          cell: (entry) => (
            <>
              <ItemLink repo={repo.name} here={repo.name} number={entry.number} title={entry.title} />
              <PrLinks repo={repo} number={entry.number} />
            </>
          ),
        },
        {
          label: "Verdict",
          cell: (entry) => {
            const verdict = verdictWords(entry, now);
            return <span class={`verdict tone-${verdict.tone}`}>{verdict.words}</span>;
          },
        },
        {
          label: "Reason",
          cell: (entry) => (
            <>
              <ReasonText reason={entry.reason} repo={repo.name} state={state} />
              {entry.state === "queued" && entry.notBefore > now ? (
                <span class="muted">
                  {" "}
                  Next try at {clock(entry.notBefore)} ({relative(entry.notBefore, now)}).
                </span>
              ) : null}
            </>
          ),
        },
        { label: "Attempts", cell: (entry) => String(entry.attempts) },
        {
          label: "Action",
          cell: (entry) =>
            entry.state === "parked" ? (
              <button
                type="button"
                onClick={() => void store.act(`Unpark ${item(entry)}`, "/api/retry", { item: item(entry) })}
              >
                Unpark
              </button>
            ) : entry.notBefore > now ? (
              <button
                type="button"
                onClick={() => void store.act(`Retry ${item(entry)}`, "/api/retry", { item: item(entry) })}
              >
                Retry now
              </button>
            ) : null,
        },
      ]}
    />
  );
}
