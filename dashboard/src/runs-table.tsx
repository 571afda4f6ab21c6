/**
 * A repo's runs: the live ones first, then the last few finished, with elapsed time, last
 * heartbeat, lease, fence, agent and the agent's last event, links to issue, branch and PR,
 * and steering for a live run.
 */
import type { RepoState, Run, State } from "./api-schema.ts";
import { useNow } from "./hooks.ts";
import { ItemLink } from "./item-link.tsx";
import { branchUrl } from "./links.ts";
import { PrLinks } from "./pr-links.tsx";
import { SteerForm } from "./steer-form.tsx";
import { Table } from "./table.tsx";
import { ago, relative, span } from "./time.ts";
import { runStateWords } from "./words.ts";

const FINISHED_SHOWN = 5;

export function RunsTable(props: { repo: RepoState; state: State }) {
  const { repo } = props;
  const now = useNow();
  const live = repo.runs.filter((run) => run.state !== "finished");
  const finished = repo.runs.filter((run) => run.state === "finished").slice(0, FINISHED_SHOWN);
  const titleOf = (number: number): string | null =>
    repo.items.find((item) => item.number === number)?.title ??
    repo.locks.find((lock) => lock.number === number)?.title ??
    null;
  return (
    <Table<Run>
      caption="Runs"
      empty="No run yet."
      rows={[...live, ...finished]}
      rowKey={(run) => run.runId}
      rowClass={(run) => (run.state === "finished" ? "finished" : "live")}
      columns={[
        {
          label: "Item",
          cell: (run) => (
            <ItemLink repo={repo.name} here={repo.name} number={run.number} title={titleOf(run.number)} />
          ),
        },
        {
          label: "State",
          cell: (run) =>
            run.state === "finished"
              ? `${run.outcome ?? "finished"}${run.reason ? `: ${run.reason}` : ""}`
              : runStateWords(run.state),
        },
        {
          label: "Elapsed",
          cell: (run) => span((run.finishedAt ?? now) - run.startedAt),
        },
        {
          label: "Last heartbeat",
          cell: (run) => (run.state === "finished" ? "—" : ago(run.lastHeartbeat, now)),
        },
        {
          label: "Lease",
          cell: (run) =>
            run.state === "finished"
              ? "—"
              : run.leaseExpires > now
                ? `expires ${relative(run.leaseExpires, now)}`
                : "expired",
        },
        { label: "Fence", cell: (run) => String(run.fence) },
        { label: "Agent", cell: (run) => <code>{run.agentId}</code> },
        {
          label: "Agent's last event",
          cell: (run) =>
            run.lastEvent ? (
              `${run.lastEvent}${run.lastEventAt === null ? "" : ` (${ago(run.lastEventAt, now)})`}`
            ) : (
              <span class="muted">none yet</span>
            ),
        },
        {
          label: "Links",
          cell: (run) => (
            <span class="links">
              {run.branch ? (
                <a href={branchUrl(repo.name, run.branch)} target="_blank" rel="noreferrer">
                  branch {run.branch}
                </a>
              ) : null}
              <PrLinks repo={repo} number={run.number} />
            </span>
          ),
        },
        {
          label: "Steer",
          cell: (run) =>
            run.state === "finished" ? null : <SteerForm item={`${repo.name}#${run.number}`} />,
        },
      ]}
    />
  );
}
