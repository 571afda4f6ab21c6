/**
 * Generates a seed with one repo and a board of N issue items, for pagination and cost
 * tests (and the bench). Statuses and areas rotate so filters have something to find.
 */
import type { SeedInput } from "./seed-schema.ts";

export interface LargeBoardOptions {
  items: number;
  org?: string;
  repo?: string;
  projectNumber?: number;
}

const statuses = ["Backlog", "Ready", "In Progress", "QA Required", "Done"] as const;
const areas = ["gateway", "worker", "contracts", "docs"] as const;

export function largeBoardSeed(options: LargeBoardOptions): SeedInput {
  const org = options.org ?? "phoenix-agentic";
  const repo = `${org}/${options.repo ?? "Large-Board-Repo"}`;
  const numbers = Array.from({ length: options.items }, (_, index) => index + 1);
  return {
    orgs: [{ login: org }],
    repos: [
      { name: repo, issues: numbers.map((number) => ({ number, title: `Generated issue ${number}` })) },
    ],
    projects: [
      {
        org,
        number: options.projectNumber ?? 1,
        title: `Large board (${options.items} items)`,
        fields: [
          { name: "Status", type: "single_select", options: [...statuses] },
          { name: "Area", type: "text" },
        ],
        items: numbers.map((number) => ({
          content: `${repo}#${number}`,
          fields: {
            Status: statuses[number % statuses.length] ?? null,
            Area: areas[number % areas.length] ?? null,
          },
        })),
      },
    ],
  };
}
