/**
 * What every mutation resolver shares: the `input` argument checked with zod (GitHub's
 * INVALID_INPUT on a mismatch), store refusals turned into GitHub-typed GraphQL errors, and
 * lookups of the records an input names by node id, failing as GitHub does (NOT_FOUND).
 */
import { z } from "zod";
import { accountFor, wellKnownBots } from "../store/accounts.ts";
import type { EmulatorStore } from "../store/emulator-store.ts";
import type { Labelable } from "../store/labels.ts";
import type { Account } from "../store/pull-state-schema.ts";
import type { Repo } from "../store/state-schema.ts";
import { notFound, StoreError } from "../store/store-events.ts";
import { githubError } from "./resolver-context.ts";

export const Base = z.object({ clientMutationId: z.string().nullish() });

export function input<T extends z.ZodType>(schema: T, args: unknown): z.output<T> {
  const raw = typeof args === "object" && args !== null && "input" in args ? args.input : undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw githubError("INVALID_INPUT", parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}

/** Runs a store write, turning its expected refusals into GitHub-typed GraphQL errors. */
export function write<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof StoreError) throw githubError(error.type, error.message);
    throw error;
  }
}

export function repoById(store: EmulatorStore, id: string): Repo {
  const node = store.node(id);
  if (node?.kind !== "repo") throw notFound(id);
  return node.record;
}

export function labelableById(store: EmulatorStore, id: string): Labelable {
  const node = store.node(id);
  if (node?.kind === "issue") return { kind: "issue", record: node.record };
  if (node?.kind === "pullRequest") return { kind: "pullRequest", record: node.record };
  throw notFound(id);
}

/** An account by node id: registered ones, GitHub's well-known bots, or any login the store knows. */
export function accountById(store: EmulatorStore, id: string, viewer: string): Account {
  const node = store.node(id);
  if (node?.kind === "account") return node.record;
  const logins = [
    viewer,
    ...wellKnownBots().map((b) => b.login),
    ...store.state.repos.flatMap((r) => r.collaborators),
  ];
  const login = logins.find((l) => accountFor(l).id === id);
  if (login === undefined) throw notFound(id);
  return store.account(login);
}
