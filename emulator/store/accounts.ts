/**
 * GitHub accounts as the emulator knows them: people by login, and bots, whose REST and
 * webhook login (`octo-app[bot]`) differs from their GraphQL login (`octo-app`). GitHub's
 * Copilot coding agent is the bot `Copilot` in REST and `copilot-swe-agent` in GraphQL;
 * its code reviewer is `copilot-pull-request-reviewer[bot]`. Ids derive from the login.
 */
import { databaseId } from "./ids.ts";
import type { Account } from "./pull-state-schema.ts";

/** The Copilot coding agent (REST login; GraphQL `copilot-swe-agent`). */
export const COPILOT_AGENT = "Copilot";
/** Copilot code review (REST login; GraphQL `copilot-pull-request-reviewer`). */
export const COPILOT_REVIEWER = "copilot-pull-request-reviewer[bot]";
/** The app that reports the check runs CI makes through the admin API. */
export const ACTIONS_BOT = "github-actions[bot]";

/** Bots whose ids are GitHub's own (as public payloads show them). */
const WELL_KNOWN: readonly Account[] = [
  {
    id: "BOT_kgDOC9w8XQ",
    databaseId: 198982749,
    login: COPILOT_AGENT,
    graphqlLogin: "copilot-swe-agent",
    type: "Bot",
    name: "Copilot",
  },
  {
    id: "BOT_kgDOCnlnWA",
    databaseId: 175728472,
    login: COPILOT_REVIEWER,
    graphqlLogin: "copilot-pull-request-reviewer",
    type: "Bot",
    name: "Copilot",
  },
  {
    id: "MDM6Qm90NDE4OTgyODI=",
    databaseId: 41898282,
    login: ACTIONS_BOT,
    graphqlLogin: "github-actions",
    type: "Bot",
    name: null,
  },
];

/** The account for a login in either form (`Copilot`, `copilot-swe-agent`, `app[bot]`, `app`?). */
export function accountFor(login: string): Account {
  const key = login.toLowerCase();
  const known = WELL_KNOWN.find(
    (a) =>
      a.login.toLowerCase() === key ||
      a.graphqlLogin.toLowerCase() === key ||
      `${a.graphqlLogin}[bot]` === key,
  );
  if (known !== undefined) return known;
  if (login.endsWith("[bot]")) {
    const id = databaseId(`user:${login}`);
    return {
      id: `BOT_${id}`,
      databaseId: id,
      login,
      graphqlLogin: login.slice(0, -"[bot]".length),
      type: "Bot",
      name: null,
    };
  }
  const id = databaseId(`user:${login}`);
  return { id: `U_${id}`, databaseId: id, login, graphqlLogin: login, type: "User", name: null };
}

export function wellKnownBots(): readonly Account[] {
  return WELL_KNOWN;
}

export function isCopilotAgent(login: string): boolean {
  return accountFor(login).login === COPILOT_AGENT;
}
