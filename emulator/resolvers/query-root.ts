/**
 * The root of GraphQL queries: `organization`, `repository`, `node`, `nodes`, `viewer`
 * and `rateLimit`. One per request, given to graphql-js `execute` as the root value.
 */
import { z } from "zod";
import type { EmulatorStore } from "../store/emulator-store.ts";
import { actorView } from "./actor-views.ts";
import { orgView } from "./content-views.ts";
import { repoView } from "./repo-view.ts";
import { nodeView } from "./node-view.ts";
import { githubError, type ResolverContext } from "./resolver-context.ts";

const LoginArg = z.object({ login: z.string() });
const RepoArgs = z.object({ owner: z.string(), name: z.string() });
const IdArg = z.object({ id: z.string() });
const IdsArg = z.object({ ids: z.array(z.string()) });

export function queryRoot(store: EmulatorStore, context: ResolverContext): Record<string, unknown> {
  return {
    organization: (args: unknown) => {
      const { login } = LoginArg.parse(args);
      const org = store.org(login);
      if (org === undefined)
        throw githubError("NOT_FOUND", `Could not resolve to an Organization with the login of '${login}'.`);
      return orgView(store, org);
    },
    repositoryOwner: (args: unknown) => {
      const org = store.org(LoginArg.parse(args).login);
      return org === undefined ? null : orgView(store, org);
    },
    repository: (args: unknown) => {
      const { owner, name } = RepoArgs.parse(args);
      const repo = store.repo(`${owner}/${name}`);
      if (repo === undefined)
        throw githubError("NOT_FOUND", `Could not resolve to a Repository with the name '${owner}/${name}'.`);
      return repoView(store, repo);
    },
    node: (args: unknown) => nodeView(store, IdArg.parse(args).id),
    // Per-element errors: graphql-js reports an Error in a list at that element's path.
    nodes: (args: unknown) =>
      IdsArg.parse(args).ids.map((id) => {
        try {
          return nodeView(store, id);
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      }),
    viewer: () => actorView(context.actor),
    rateLimit: () => context.rateLimit,
  };
}
