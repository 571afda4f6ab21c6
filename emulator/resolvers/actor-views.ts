/**
 * GraphQL views of accounts: `User` for people, `Bot` for apps (GraphQL shows a bot's login
 * without `[bot]`; GitHub's Copilot coding agent is the Bot `copilot-swe-agent`). Ids match
 * the REST `node_id`. Used wherever a view has an author, actor, assignee or reviewer.
 */
import { accountFor } from "../store/accounts.ts";
import type { Account } from "../store/pull-state-schema.ts";
import { connection } from "./connection.ts";

const web = "https://github.com";
const epoch = "2020-01-01T00:00:00Z";

export function accountView(account: Account): Record<string, unknown> {
  const bot = account.type === "Bot";
  const path = bot ? `/apps/${account.graphqlLogin}` : `/${account.login}`;
  return {
    __typename: bot ? "Bot" : "User",
    id: account.id,
    databaseId: account.databaseId,
    login: account.graphqlLogin,
    name: account.name,
    url: `${web}${path}`,
    resourcePath: path,
    avatarUrl: `https://avatars.githubusercontent.com/u/${account.databaseId}?v=4`,
    createdAt: epoch,
    updatedAt: epoch,
  };
}

/** The view of a login in either form (`Copilot` or `copilot-swe-agent`, `app[bot]` or a person). */
export function actorView(login: string): Record<string, unknown> {
  return accountView(accountFor(login));
}

/** `assignees` is a UserConnection: bots (Copilot among them) show only in `assignedActors`. */
export function assigneeUsers(logins: readonly string[], args: unknown): unknown {
  const users = logins.map((login) => accountFor(login)).filter((a) => a.type === "User");
  return connection(users, args, accountView);
}

/** `assignedActors`: people and bots, as the Assignee union. */
export function assignedActors(logins: readonly string[], args: unknown): unknown {
  return connection(
    logins.map((login) => accountFor(login)),
    args,
    accountView,
  );
}
