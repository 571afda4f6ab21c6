/**
 * The only thing that speaks to GitHub: reads the board (items, changed items, dependency
 * issue states) and writes claims, leases and releases on it, metering every call against
 * the GraphQL budget. Used by the RepoQueue and the supervisor (worker) and the local
 * agent's lock re-check (Node); `apiUrl` points it at GitHub, GitHub Enterprise or the emulator.
 */
import { z } from "zod";
import type { WorkspaceConfig } from "../config/workspace-config.ts";
import type { Budget } from "./api-budget.ts";
import type { BoardItem, FieldRole, IssueRef, IssueState } from "./board-item.ts";
import { BoardSchemaError } from "./board-errors.ts";
import { CopilotClient } from "./copilot-client.ts";
import { claimWrites, judgeClaim } from "./claim.ts";
import type { BoardClaim, ClaimResult, ClaimValues } from "./claim.ts";
import { IssueStatesResponse, toIssueStates } from "./issue-states-response.ts";
import { AppTokenProvider } from "./github-app-auth.ts";
import type { GitHubAppCredentials } from "./github-app-auth.ts";
import { WebhookDeliveries } from "./hook-deliveries.ts";
import { PullRequestCalls } from "./pull-request-calls.ts";
import { GITHUB_API_URL, GraphqlTransport } from "./graphql-transport.ts";
import type { ProjectSchema } from "./project-schema.ts";
import { fieldWrite, findField, toProjectSchema } from "./project-schema.ts";
import {
  fieldUpdatesMutation,
  issueStatesQuery,
  ITEM_READ_BACK_QUERY,
  ITEMS_BY_ID_QUERY,
  ITEMS_PAGE_QUERY,
  ITEMS_SCAN_QUERY,
  MAX_ISSUES_PER_QUERY,
  MAX_NODE_IDS,
  PROJECT_FIELDS_QUERY,
  VIEWER_QUERY,
} from "./queries.ts";
import type { FieldUpdate } from "./queries.ts";
import { DEFAULT_RETRY, realSleep } from "./rate-limit-backoff.ts";
import type { RetryPolicy, Sleep } from "./rate-limit-backoff.ts";
import {
  fieldValuesByRole,
  ItemsByIdResponse,
  ItemsPageResponse,
  ItemsScanResponse,
  ProjectFieldsResponse,
  ReadBackResponse,
  toBoardItem,
  ViewerResponse,
} from "./responses.ts";

export type BoardAuth = { token: string } | GitHubAppCredentials;

export type BoardClientOptions = {
  config: WorkspaceConfig;
  auth: BoardAuth;
  /** `GITHUB_API_URL`; defaults to https://api.github.com. */
  apiUrl?: string;
  fetch?: typeof fetch;
  sleep?: Sleep;
  now?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Test seam: runs between a claim's write and its read-back. */
  afterClaimWrite?: (itemId: string) => Promise<void> | void;
  /** The budget meter's last snapshot, and a listener for every call (a DO persists both). */
  budget?: Budget;
  onBudget?: (budget: Budget) => void;
  /** The project schema read before (a DO keeps it), and a listener when it is read anew. */
  schema?: ProjectSchema;
  onSchema?: (schema: ProjectSchema) => void;
};

export type { BoardClaim, ClaimResult, ClaimValues };

/** What the light scan sees of an item: enough to tell whether the mirror's copy is current. */
export type ItemStamp = {
  itemId: string;
  updatedAt: string;
  isArchived: boolean;
  /** The issue's or PR's state (`MERGED` for a merged PR); null for drafts and redacted items. */
  state: "OPEN" | "CLOSED" | "MERGED" | null;
  stateReason: string | null;
};

/** When GitHub last changed the item, after a write (null when the answer did not say). */
export type WriteResult = { updatedAt: string | null };

type ItemHandle = Pick<BoardItem, "itemId">;
type Connection<N> = { nodes: Array<N | null>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

const chunks = <T>(list: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, index) =>
    list.slice(index * size, (index + 1) * size),
  );

/** Unknown ids and issues come back null with NOT_FOUND errors: the rest of the answer stands. */
const notFoundOnly = (errors: ReadonlyArray<{ type?: string }>): boolean =>
  errors.every((error) => error.type === "NOT_FOUND");

export class BoardClient {
  readonly #config: WorkspaceConfig;
  readonly #transport: GraphqlTransport;
  readonly #afterClaimWrite: BoardClientOptions["afterClaimWrite"];
  readonly #onSchema: BoardClientOptions["onSchema"];
  #schema: Promise<ProjectSchema> | null = null;

  constructor(options: BoardClientOptions) {
    const apiUrl = options.apiUrl ?? GITHUB_API_URL;
    const baseFetch = options.fetch ?? ((input, init) => fetch(input, init));
    const auth = options.auth;
    let authorization: () => Promise<string>;
    if ("token" in auth) {
      authorization = () => Promise.resolve(`bearer ${auth.token}`);
    } else {
      const provider = new AppTokenProvider({ ...auth, apiUrl, fetch: baseFetch, now: options.now });
      authorization = async () => `token ${await provider.token()}`;
    }
    this.#config = options.config;
    this.#afterClaimWrite = options.afterClaimWrite;
    this.#onSchema = options.onSchema;
    if (options.schema !== undefined) this.#schema = Promise.resolve(options.schema);
    this.#transport = new GraphqlTransport({
      apiUrl,
      authorization,
      fetch: baseFetch,
      sleep: options.sleep ?? realSleep,
      now: options.now ?? Date.now,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      userAgent: "worker-factory",
      ...(options.budget === undefined ? {} : { budget: options.budget }),
      ...(options.onBudget === undefined ? {} : { onBudget: options.onBudget }),
    });
  }

  /** The org webhook's deliveries, to redeliver the failed ones (REST, same auth and backoff). */
  get webhooks(): WebhookDeliveries {
    return new WebhookDeliveries(this.#transport, this.#config.project.org);
  }

  /** A run's pull request: open, decorate, merge, close its issue, delete its branch (same meter). */
  get pullRequests(): PullRequestCalls {
    return new PullRequestCalls(this.#transport);
  }

  /** GitHub's Copilot coding agent: find, assign, unassign (same auth, backoff and meter). */
  get copilot(): CopilotClient {
    return new CopilotClient(this.#transport);
  }

  /** Points charged and left: for the dashboard and for sizing reconciliation. */
  budget(): Budget {
    return this.#transport.budget();
  }

  /** Project id, field ids and option ids; fetched once, then cached (pass `refresh` after a field change). */
  async projectSchema(options: { refresh?: boolean } = {}): Promise<ProjectSchema> {
    if (this.#schema === null || options.refresh === true) {
      const { org, number } = this.#config.project;
      const pending = this.#transport
        .call("project fields", PROJECT_FIELDS_QUERY, { org, number }, ProjectFieldsResponse)
        .then((response) => toProjectSchema(response, this.#config.project))
        .then((schema) => {
          this.#onSchema?.(schema);
          return schema;
        });
      pending.catch(() => {
        if (this.#schema === pending) this.#schema = null;
      });
      this.#schema = pending;
    }
    return this.#schema;
  }

  async projectId(): Promise<string> {
    return (await this.projectSchema()).projectId;
  }

  /** Every item (or those matching Projects' filter syntax, e.g. `-status:Done`), 100 a page. */
  async listItems(options: { query?: string } = {}): Promise<BoardItem[]> {
    const { org, number } = this.#config.project;
    const nodes = await this.#collect(async (after) => {
      const variables = { org, number, after, filter: options.query ?? null };
      const page = await this.#transport.call("list items", ITEMS_PAGE_QUERY, variables, ItemsPageResponse);
      return this.#projectOf(page).items;
    });
    return nodes.map((node) => toBoardItem(node, this.#config.fields));
  }

  /** The light scan: ids and `updatedAt` of every (matching) item, to find what changed. */
  async scanItems(options: { query?: string } = {}): Promise<ItemStamp[]> {
    const { org, number } = this.#config.project;
    const nodes = await this.#collect(async (after) => {
      const variables = { org, number, after, filter: options.query ?? null };
      const page = await this.#transport.call("scan items", ITEMS_SCAN_QUERY, variables, ItemsScanResponse);
      return this.#projectOf(page).items;
    });
    return nodes.map((node) => ({
      itemId: node.id,
      updatedAt: node.updatedAt,
      isArchived: node.isArchived,
      ...stampState(node.content),
    }));
  }

  /** The login this client writes as (one point, once; the caller keeps it). */
  async viewerLogin(): Promise<string> {
    return (await this.#transport.call("viewer", VIEWER_QUERY, {}, ViewerResponse)).viewer.login;
  }

  /** Items by node id, in batches of 100; ids that are gone or not items are left out. */
  async getItems(ids: readonly string[]): Promise<BoardItem[]> {
    const items: BoardItem[] = [];
    for (const batch of chunks([...new Set(ids)], MAX_NODE_IDS)) {
      const response = await this.#transport.call(
        "get items",
        ITEMS_BY_ID_QUERY,
        { ids: batch },
        ItemsByIdResponse,
        notFoundOnly,
      );
      for (const node of response.nodes) {
        if (node !== null) items.push(toBoardItem(node, this.#config.fields));
      }
    }
    return items;
  }

  async getItem(itemId: string): Promise<BoardItem | null> {
    return (await this.getItems([itemId]))[0] ?? null;
  }

  /** States of issues by reference (dependencies not on the board); unknown issues are left out. */
  async getIssueStates(refs: readonly IssueRef[]): Promise<IssueState[]> {
    const states: IssueState[] = [];
    if (refs.length === 0) return states;
    const projectId = await this.projectId();
    for (const batch of chunks(refs, MAX_ISSUES_PER_QUERY)) {
      const built = issueStatesQuery(batch, this.#config.fields.status);
      const response = await this.#transport.call(
        "issue states",
        built.query,
        built.variables,
        IssueStatesResponse,
        notFoundOnly,
      );
      states.push(...toIssueStates(response, built.repos, projectId));
    }
    return states;
  }

  /**
   * Writes a claim in one request, then reads it back. Projects has no compare-and-set, so
   * the read-back decides: `claimed` when the board shows exactly our claim, else `lost`
   * with what the board shows instead (a person or another writer got there between).
   */
  async writeClaim(item: ItemHandle, claim: ClaimValues): Promise<ClaimResult> {
    await this.#writeFields("claim", item, claimWrites(this.#config.fields, claim), []);
    await this.#afterClaimWrite?.(item.itemId);
    return judgeClaim(await this.readClaim(item), claim);
  }

  /** The claim fields of one item as the board shows them now. */
  async readClaim(item: ItemHandle): Promise<BoardClaim> {
    const response = await this.#transport.call(
      "read back",
      ITEM_READ_BACK_QUERY,
      { id: item.itemId },
      ReadBackResponse,
    );
    if (response.node === null)
      return {
        lockKey: null,
        claimOwner: null,
        leaseExpires: null,
        lastHeartbeat: null,
        status: null,
        updatedAt: null,
      };
    const fields = fieldValuesByRole(response.node.fieldValues, this.#config.fields);
    const { lockKey, claimOwner, leaseExpires, lastHeartbeat, status } = fields;
    return { lockKey, claimOwner, leaseExpires, lastHeartbeat, status, updatedAt: response.node.updatedAt };
  }

  /** Moves the board's lease on (as often as `lease.boardRenewSeconds` says; one request). */
  async renewLease(
    item: ItemHandle,
    lease: { leaseExpires: string; lastHeartbeat: string },
  ): Promise<WriteResult> {
    const names = this.#config.fields;
    return this.#writeFields(
      "renew lease",
      item,
      [
        [names.leaseExpires, lease.leaseExpires],
        [names.lastHeartbeat, lease.lastHeartbeat],
      ],
      [],
    );
  }

  /** Clears Lock Key, Claim Owner, Lease Expires and Last Heartbeat; sets Status when given. */
  async releaseClaim(item: ItemHandle, options: { status?: string | null } = {}): Promise<WriteResult> {
    const names = this.#config.fields;
    const status: Array<[string, string]> = options.status ? [[names.status, options.status]] : [];
    return this.#writeFields("release", item, status, [
      names.lockKey,
      names.claimOwner,
      names.leaseExpires,
      names.lastHeartbeat,
    ]);
  }

  /** Writes some fields of one item by role (null clears), in one request labelled `kind`. */
  async updateFields(
    kind: string,
    item: ItemHandle,
    values: Partial<Record<FieldRole, string | null>>,
  ): Promise<WriteResult> {
    const names = this.#config.fields;
    const entries = Object.entries(values) as Array<[FieldRole, string | null]>;
    const writes = entries.flatMap(([role, value]): Array<[string, string]> =>
      value === null || value === "" ? [] : [[names[role], value]],
    );
    const clears = entries.filter(([, value]) => value === null || value === "").map(([role]) => names[role]);
    return this.#writeFields(kind, item, writes, clears);
  }

  async setStatus(item: ItemHandle, status: string): Promise<WriteResult> {
    return this.#writeFields("set status", item, [[this.#config.fields.status, status]], []);
  }

  /** Several fields of one item in one request (aliased mutations); `kind` labels its cost. */
  async #writeFields(
    kind: string,
    item: ItemHandle,
    values: ReadonlyArray<[string, string]>,
    clears: readonly string[],
  ): Promise<WriteResult> {
    const build = (schema: ProjectSchema): FieldUpdate[] => [
      ...values.map(([name, text]) => fieldWrite(schema, name, text)),
      ...clears.map((name) => ({ fieldId: findField(schema, name).id, value: null })),
    ];
    let schema = await this.projectSchema();
    let updates: FieldUpdate[];
    try {
      updates = build(schema);
    } catch (error) {
      // A field or option added since the schema was read: read it again, once.
      if (!(error instanceof BoardSchemaError)) throw error;
      schema = await this.projectSchema({ refresh: true });
      updates = build(schema);
    }
    if (updates.length === 0) return { updatedAt: null };
    const built = fieldUpdatesMutation(schema.projectId, item.itemId, updates);
    const response = await this.#transport.call(kind, built.query, built.variables, MutationResponse);
    const stamps = Object.values(response)
      .map((entry) => entry.projectV2Item?.updatedAt ?? null)
      .filter((stamp): stamp is string => stamp !== null)
      .sort();
    return { updatedAt: stamps.at(-1) ?? null };
  }

  async #collect<N>(page: (after: string | null) => Promise<Connection<N>>): Promise<N[]> {
    const nodes: N[] = [];
    let after: string | null = null;
    do {
      const connection: Connection<N> = await page(after);
      for (const node of connection.nodes) if (node !== null) nodes.push(node);
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    } while (after !== null);
    return nodes;
  }

  #projectOf<T>(response: { organization: { projectV2: T | null } | null }): T {
    const project = response.organization?.projectV2;
    if (project === null || project === undefined) {
      const { org, number } = this.#config.project;
      throw new BoardSchemaError(`project ${org}#${number} was not found or is not visible`, "(project)");
    }
    return project;
  }
}

const MutationResponse = z.record(
  z.string(),
  z.object({ projectV2Item: z.object({ id: z.string(), updatedAt: z.string().optional() }).nullable() }),
);

type ScannedContent = { __typename: string; state?: string; stateReason?: string | null; prState?: string };

function stampState(content: ScannedContent | null | undefined): Pick<ItemStamp, "state" | "stateReason"> {
  if (content?.__typename === "Issue" && (content.state === "OPEN" || content.state === "CLOSED"))
    return { state: content.state, stateReason: content.stateReason ?? null };
  if (content?.__typename === "PullRequest") {
    const state = content.prState === "MERGED" ? "MERGED" : content.prState === "OPEN" ? "OPEN" : "CLOSED";
    return { state, stateReason: null };
  }
  return { state: null, stateReason: null };
}
