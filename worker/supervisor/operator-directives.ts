/**
 * The operator's directives by item (`owner/repo#N`), as the supervisor carries them out for
 * `wf` and /api/*: steer or stop an item's live run, retry it now or unpark it, release a
 * person's stale claim, a person's own claim (claim, renew, unclaim), pause or resume repos.
 * Each is routed to one RepoQueue and journaled in the meta queue only when it changed
 * something, so a repeated request is logged once.
 */
import type { ActionResult } from "../queue/operator-actions.ts";
import type { PersonClaimResult } from "../queue/person-claims.ts";
import type { SteerInput, SteerResult } from "../queue/steering.ts";
import type { DirectiveDeps } from "./directives.ts";

export type ItemSteerInput = Omit<SteerInput, "runId">;

export async function steerItem(
  deps: DirectiveDeps,
  repo: string,
  number: number,
  input: ItemSteerInput,
): Promise<SteerResult & { runId?: string }> {
  const result = await deps.repoQueue(repo).steerItem(repo, number, input);
  if (result.ok && !result.duplicate) {
    const detail = `${input.command} to ${result.runId ?? "?"}: ${input.reason} (source ${input.sourceEventId})`;
    deps.meta.record("steer", repo, number, detail, deps.now());
  }
  return result;
}

export async function retryItem(deps: DirectiveDeps, repo: string, number: number): Promise<ActionResult> {
  const result = await deps.repoQueue(repo).retryItem(repo, number);
  if (result.ok && result.changed) deps.meta.record("retry", repo, number, result.detail, deps.now());
  return result;
}

export async function releaseClaim(deps: DirectiveDeps, repo: string, number: number): Promise<ActionResult> {
  const result = await deps.repoQueue(repo).releaseStaleClaim(repo, number);
  if (result.ok && result.changed) {
    deps.meta.record("claim_released", repo, number, `stale claim released: ${result.detail}`, deps.now());
  }
  return result;
}

export type PersonClaimAction =
  | { action: "claim"; owner: string; leaseSeconds: number }
  | { action: "renew"; owner: string; leaseSeconds: number }
  | { action: "unclaim"; owner: string; status: string | null };

/** A person's claim from the terminal: taken, renewed or released, and journaled when it changed. */
export async function personClaim(
  deps: DirectiveDeps,
  repo: string,
  number: number,
  request: PersonClaimAction,
): Promise<PersonClaimResult> {
  const queue = deps.repoQueue(repo);
  const result =
    request.action === "claim"
      ? await queue.claimItem(repo, number, request.owner, request.leaseSeconds)
      : request.action === "renew"
        ? await queue.renewClaim(repo, number, request.owner, request.leaseSeconds)
        : await queue.unclaimItem(repo, number, request.owner, request.status);
  if (result.ok && result.changed) {
    deps.meta.record("person_claim", repo, number, `${request.owner}: ${result.detail}`, deps.now());
  }
  return result;
}

/** Pauses or resumes each repo; the answer lists which ones changed. */
export async function pauseRepos(
  deps: DirectiveDeps,
  repos: readonly string[],
  paused: boolean,
): Promise<{ repo: string; paused: boolean; changed: boolean }[]> {
  const results = [];
  for (const repo of repos) {
    const { changed } = await deps.repoQueue(repo).setPausedOnce(repo, paused);
    if (changed) {
      const detail = paused ? "dispatch paused" : "dispatch resumed";
      deps.meta.record(paused ? "pause" : "resume", repo, null, detail, deps.now());
    }
    results.push({ repo, paused, changed });
  }
  return results;
}
