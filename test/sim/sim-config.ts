/**
 * The simulated workspace: three repos of four areas each (one `docs` area, files-scoped by
 * default), every area low risk so finished runs need no person's QA, the org hook id set so
 * reconciliation redelivers failed webhooks, and a seeded board of a dozen items a repo.
 */
import type { SeedInput } from "../../emulator/seed/seed-schema.ts";
import { parseWorkspaceConfig, type WorkspaceConfig } from "../../worker/config/workspace-config.ts";
import type { Prng } from "./prng.ts";

export const SIM_ORG = "sim-org";
export const SIM_HOOK_ID = 7;
const REPOS = ["alpha", "beta", "gamma"] as const;
const AREAS = [
  { name: "api", paths: ["api/"] },
  { name: "web", paths: ["web/"] },
  { name: "core", paths: ["core/"] },
  { name: "docs", paths: ["docs/"] },
] as const;
const ITEMS_PER_REPO = 12;

export function simConfig(): WorkspaceConfig {
  return parseWorkspaceConfig({
    workspace: "sim",
    project: { org: SIM_ORG, number: 1 },
    repos: REPOS.map((name) => ({
      name: `${SIM_ORG}/${name}`,
      areas: AREAS.map((area) => ({ name: area.name, paths: [...area.paths], risk: "low" })),
    })),
    qa: { requiredFor: [] },
    reconcile: { hookId: SIM_HOOK_ID, scanMinutes: 15 },
  });
}

const FIELDS: NonNullable<SeedInput["projects"]>[number]["fields"] = [
  {
    name: "Status",
    type: "single_select",
    options: ["Triage", "Backlog", "Ready", "In Progress", "QA Required", "In Review", "Done"],
  },
  { name: "Depends On", type: "text" },
  { name: "Area", type: "text" },
  { name: "Needed Files", type: "text" },
  { name: "Lock Scope", type: "single_select", options: ["area", "files"] },
  { name: "Lock Key", type: "text" },
  { name: "Claim Owner", type: "text" },
  { name: "Lease Expires", type: "text" },
  { name: "Last Heartbeat", type: "text" },
  { name: "Priority", type: "single_select", options: ["P0", "P1", "P2", "P3"] },
  { name: "Agent Mode", type: "single_select", options: ["local-ide", "cli", "cloud"] },
];

/** A board of its own for each seed: statuses, areas, files and dependencies drawn from `rng`. */
export function simSeed(config: WorkspaceConfig, rng: Prng): SeedInput {
  const repos = config.repos.map((repo) => repo.name);
  const numbers = Array.from({ length: ITEMS_PER_REPO }, (_, index) => index + 1);
  const items = repos.flatMap((repo) =>
    numbers.map((number) => {
      const area = rng.pick(AREAS);
      const files = rng.chance(0.3) || area.name === "docs";
      const status = rng.weighted({ Ready: 45, Backlog: 30, Triage: 5, Done: 20 });
      const fields: Record<string, string | null> = {
        Status: status,
        Area: rng.chance(0.05) ? null : area.name,
        "Lock Scope": files ? "files" : "area",
        "Needed Files": files ? `${area.paths[0]}${rng.pick(["a", "b", "c", "d"])}.ts` : null,
        Priority: rng.pick(["P0", "P1", "P2", "P3"]),
        "Agent Mode": "cli",
      };
      if (rng.chance(0.15)) {
        const other = rng.pick(repos);
        const target = rng.int(1, ITEMS_PER_REPO);
        if (other !== repo || target !== number)
          fields["Depends On"] = other === repo ? `#${target}` : `${other}#${target}`;
      }
      return { content: `${repo}#${number}`, fields };
    }),
  );
  return {
    orgs: [{ login: SIM_ORG }],
    repos: repos.map((repo) => ({
      name: repo,
      issues: numbers.map((number) => ({ number, title: `${repo.split("/")[1] ?? repo} task ${number}` })),
    })),
    projects: [{ org: SIM_ORG, number: 1, title: "Fault simulation board", fields: FIELDS, items }],
  };
}
