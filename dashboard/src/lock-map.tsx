/** A repo's lock map: each held key, the item holding it, and how — a run, a person's claim, a Status. */
import type { HeldLock, RepoState } from "./api-schema.ts";
import { ItemLink } from "./item-link.tsx";
import { lockAnchor } from "./links.ts";
import { PrLinks } from "./pr-links.tsx";
import { Table } from "./table.tsx";
import { holderWords } from "./words.ts";

export function LockMap(props: { repo: RepoState }) {
  const { repo } = props;
  const seen = new Set<number>();
  return (
    <Table<HeldLock>
      caption="Lock map"
      empty="No lock is held."
      rows={repo.locks}
      rowKey={(lock) => `${lock.key}:${lock.number ?? ""}`}
      rowId={(lock) => {
        // The first row of each holder is the anchor a conflict's reason links to.
        if (lock.number === null || seen.has(lock.number)) return undefined;
        seen.add(lock.number);
        return lockAnchor(repo.name, lock.number);
      }}
      columns={[
        { label: "Key", cell: (lock) => <code>{lock.key}</code> },
        {
          label: "Held by",
          cell: (lock) =>
            lock.number === null ? (
              lock.title
            ) : (
              <>
                <ItemLink
                  repo={repo.name}
                  here={repo.name}
                  number={lock.number}
                  title={lock.title}
                  url={lock.url}
                />
                <PrLinks repo={repo} number={lock.number} />
              </>
            ),
        },
        {
          label: "How",
          cell: (lock) => (
            <span class={`holder-${lock.holder}`}>
              {holderWords(lock)}
              {lock.holder === "run" && lock.runId ? <code class="muted"> {lock.runId}</code> : null}
            </span>
          ),
        },
      ]}
    />
  );
}
