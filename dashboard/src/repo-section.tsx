/** One repo of the workspace: pause or resume, its agents, lock map, runs, queue and stale claims. */
import type { RepoState, State } from "./api-schema.ts";
import { useStore } from "./hooks.ts";
import { repoUrl } from "./links.ts";
import { LockMap } from "./lock-map.tsx";
import { QueueTable } from "./queue-table.tsx";
import { RunsTable } from "./runs-table.tsx";
import { StaleClaims } from "./stale-claims.tsx";

export function RepoSection(props: { repo: RepoState; state: State }) {
  const { repo, state } = props;
  const store = useStore();
  const headingId = `repo-${repo.name.replace(/[^A-Za-z0-9]+/g, "-")}`;
  const agents = repo.agents.length
    ? repo.agents.map((agent) => `${agent.agentId} (${agent.liveRuns} of ${agent.capacity} busy)`).join(", ")
    : "none connected";
  return (
    <section class="repo" aria-labelledby={headingId}>
      <header>
        <h2 id={headingId}>
          <a href={repoUrl(repo.name)} target="_blank" rel="noreferrer">
            {repo.name}
          </a>
        </h2>
        {repo.paused ? <span class="badge tone-bad">Dispatch paused</span> : null}
        <button
          type="button"
          onClick={() =>
            void store.act(`${repo.paused ? "Resume" : "Pause"} ${repo.name}`, "/api/pause", {
              repo: repo.name,
              paused: !repo.paused,
            })
          }
        >
          {repo.paused ? "Resume dispatch" : "Pause dispatch"}
        </button>
      </header>
      <p class="muted">
        Agents: {agents}
        {repo.lastRefresh?.error ? (
          <span class="tone-bad"> · Board read failed: {repo.lastRefresh.error}</span>
        ) : null}
      </p>
      <LockMap repo={repo} />
      <RunsTable repo={repo} state={state} />
      <QueueTable repo={repo} state={state} />
      <StaleClaims repo={repo} />
    </section>
  );
}
