/**
 * A gate's reason in words, with the items it names linked: a dependency to its issue, a lock
 * conflict's holder to its issue and to its row in the lock map (with how it holds the lock).
 */
import type { HeldLock, State } from "./api-schema.ts";
import { issueUrl, lockAnchor, splitReason } from "./links.ts";
import { holderWords } from "./words.ts";

export function ReasonText(props: { reason: string; repo: string; state: State }) {
  const parts = splitReason(props.reason, props.repo);
  const holders: HeldLock[] = [];
  for (const part of parts) {
    if (!("ref" in part) || part.ref.repo !== props.repo) continue;
    const repo = props.state.repos.find((candidate) => candidate.name === props.repo);
    const lock = repo?.locks.find((candidate) => candidate.number === part.ref.number);
    if (lock && !holders.includes(lock)) holders.push(lock);
  }
  return (
    <span class="reason">
      {parts.map((part, index) =>
        "ref" in part ? (
          <a key={index} href={refUrl(part.ref, props.state)} target="_blank" rel="noreferrer">
            {part.text}
          </a>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
      {props.reason.startsWith("Lock conflict") || props.reason.startsWith("Waiting behind")
        ? holders.map((lock) => (
            <span class="holder" key={lock.key}>
              {" "}
              Held by{" "}
              <a href={`#${lockAnchor(props.repo, lock.number ?? 0)}`}>
                #{lock.number} {lock.title}
              </a>{" "}
              — {holderWords(lock)}.
            </span>
          ))
        : null}
    </span>
  );
}

/** The issue's URL from the mirror when the workspace has it, else built from its name. */
function refUrl(ref: { repo: string; number: number }, state: State): string {
  for (const repo of state.repos) {
    if (repo.name !== ref.repo) continue;
    const lock = repo.locks.find((candidate) => candidate.number === ref.number);
    if (lock?.url) return lock.url;
  }
  const qa = state.qaSequence.find((entry) => entry.repo === ref.repo && entry.number === ref.number);
  return issueUrl(ref.repo, ref.number, qa?.url);
}
