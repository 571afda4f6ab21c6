/**
 * GitHub's Copilot coding agent as the board client reaches it: find its bot among a repo's
 * assignable actors, assign it to an issue (which starts its session), unassign it, and look
 * for the pull requests linked to an issue. Each call is one request of one GraphQL point,
 * metered with the board's. Used by the RepoQueue's cloud path (worker/queue/claim-cloud.ts).
 */
import { z } from "zod";
import type { GraphqlTransport } from "./graphql-transport.ts";
import { RateLimit } from "./responses.ts";

const RATE_LIMIT = "rateLimit { cost remaining limit resetAt used }";

/** The repo's assignable actors; Copilot is a Bot among them where the repo has it enabled. */
export const COPILOT_ACTORS_QUERY = `query CopilotActors($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) {
    suggestedActors(capabilities: [CAN_BE_ASSIGNED], first: 100) {
      nodes { __typename login ... on Bot { id } }
    }
  }
  ${RATE_LIMIT}
}`;

/** Assigns the issue to Copilot alone (its session starts on the base branch given). */
export const ASSIGN_COPILOT_MUTATION = `mutation AssignCopilot($assignableId: ID!, $actorIds: [ID!]!, $baseRef: String) {
  replaceActorsForAssignable(input: { assignableId: $assignableId, actorIds: $actorIds, agentAssignment: { baseRef: $baseRef } }) {
    assignable { ... on Issue { assignedActors(first: 10) { nodes { __typename ... on Bot { login } } } } }
  }
}`;

/** Takes Copilot off the issue, leaving any person assigned since. */
export const UNASSIGN_COPILOT_MUTATION = `mutation UnassignCopilot($assignableId: ID!, $assigneeIds: [ID!]!) {
  removeAssigneesFromAssignable(input: { assignableId: $assignableId, assigneeIds: $assigneeIds }) { clientMutationId }
}`;

/** The open pull requests that close an issue, with who wrote them and when they last moved. */
export const LINKED_PULL_REQUESTS_QUERY = `query LinkedPullRequests($id: ID!) {
  node(id: $id) {
    ... on Issue {
      closedByPullRequestsReferences(first: 5) {
        nodes { id number url isDraft headRefName updatedAt author { login } }
      }
    }
  }
  ${RATE_LIMIT}
}`;

const ActorsResponse = z.object({
  repository: z
    .object({
      suggestedActors: z.object({
        nodes: z.array(
          z.object({ __typename: z.string(), login: z.string(), id: z.string().optional() }).nullable(),
        ),
      }),
    })
    .nullable(),
  rateLimit: RateLimit.nullish(),
});

const AssignResponse = z.object({
  replaceActorsForAssignable: z
    .object({
      assignable: z
        .object({
          assignedActors: z
            .object({
              nodes: z.array(z.object({ __typename: z.string(), login: z.string().optional() }).nullable()),
            })
            .optional(),
        })
        .nullable(),
    })
    .nullable(),
});

const UnassignResponse = z.object({ removeAssigneesFromAssignable: z.looseObject({}).nullable() });

export const LinkedPullRequest = z.object({
  id: z.string(),
  number: z.number().int(),
  url: z.string(),
  isDraft: z.boolean(),
  headRefName: z.string(),
  updatedAt: z.string(),
  author: z.object({ login: z.string() }).nullable(),
});
export type LinkedPullRequest = z.infer<typeof LinkedPullRequest>;

const LinkedResponse = z.object({
  node: z
    .object({
      closedByPullRequestsReferences: z.object({ nodes: z.array(LinkedPullRequest.nullable()) }).optional(),
    })
    .nullable(),
  rateLimit: RateLimit.nullish(),
});

/** Copilot's bot as GraphQL names it (`copilot-swe-agent`); REST and webhooks say `Copilot`. */
export type CopilotActor = { id: string; login: string };

const COPILOT_LOGINS = new Set(["copilot-swe-agent", "copilot-swe-agent[bot]", "copilot"]);

/** Whether a login (GraphQL, REST or webhook form) is GitHub's Copilot coding agent. */
export function isCopilotLogin(login: string | null | undefined): boolean {
  return login !== null && login !== undefined && COPILOT_LOGINS.has(login.trim().toLowerCase());
}

export class CopilotClient {
  readonly #transport: GraphqlTransport;

  constructor(transport: GraphqlTransport) {
    this.#transport = transport;
  }

  /** Copilot's bot among the repo's assignable actors, or null where the repo does not have it. */
  async findActor(repo: string): Promise<CopilotActor | null> {
    const [owner = "", name = ""] = repo.split("/");
    const response = await this.#transport.call(
      "copilot actors",
      COPILOT_ACTORS_QUERY,
      { owner, name },
      ActorsResponse,
    );
    const bot = (response.repository?.suggestedActors.nodes ?? []).find(
      (actor) => actor !== null && actor.__typename === "Bot" && isCopilotLogin(actor.login),
    );
    return bot?.id === undefined ? null : { id: bot.id, login: bot.login };
  }

  /** Assigns the issue to Copilot; says whether GitHub shows Copilot assigned afterwards. */
  async assign(issueId: string, actor: CopilotActor, baseRef: string): Promise<boolean> {
    const response = await this.#transport.call(
      "assign copilot",
      ASSIGN_COPILOT_MUTATION,
      { assignableId: issueId, actorIds: [actor.id], baseRef },
      AssignResponse,
    );
    const actors = response.replaceActorsForAssignable?.assignable?.assignedActors?.nodes ?? [];
    return actors.some((node) => node !== null && isCopilotLogin(node.login));
  }

  async unassign(issueId: string, actor: CopilotActor): Promise<void> {
    await this.#transport.call(
      "unassign copilot",
      UNASSIGN_COPILOT_MUTATION,
      { assignableId: issueId, assigneeIds: [actor.id] },
      UnassignResponse,
    );
  }

  /** Open pull requests that close the issue (`closedByPullRequestsReferences`). */
  async linkedPullRequests(issueId: string): Promise<LinkedPullRequest[]> {
    const response = await this.#transport.call(
      "linked pull requests",
      LINKED_PULL_REQUESTS_QUERY,
      { id: issueId },
      LinkedResponse,
    );
    return (response.node?.closedByPullRequestsReferences?.nodes ?? []).flatMap((pr) => (pr ? [pr] : []));
  }
}
