/** The pull requests on the board that close an item, linked (from the mirror's `closes`). */
import type { RepoState } from "./api-schema.ts";
import { GITHUB } from "./links.ts";

export function PrLinks(props: { repo: RepoState; number: number }) {
  const prs = props.repo.pullRequests.filter((pr) =>
    pr.closes.some((ref) => ref.repo === props.repo.name && ref.number === props.number),
  );
  if (prs.length === 0) return null;
  return (
    <span class="prs">
      {prs.map((pr) => (
        <a
          key={pr.number ?? pr.title}
          href={pr.url ?? `${GITHUB}/${props.repo.name}/pull/${pr.number ?? ""}`}
          target="_blank"
          rel="noreferrer"
          title={pr.title}
        >
          pull request #{pr.number}
          {pr.merged ? " (merged)" : pr.state === "CLOSED" ? " (closed)" : ""}
        </a>
      ))}
    </span>
  );
}
