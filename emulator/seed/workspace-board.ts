/**
 * Generates a board shaped like a real workspace's, for the bench: N issue items spread over
 * the workspace's repos with the sample board's fields; half of them Done, the rest in
 * Backlog, Triage or In Review, and in each repo a few Ready items in distinct areas for the
 * first runs. Backlog items rotate over those same areas, so work can follow work.
 */
import type { SeedInput } from "./seed-schema.ts";

export interface WorkspaceBoardRepo {
  name: string;
  /** Areas the generated items run in (distinct areas never conflict). */
  areas: readonly string[];
}

export interface WorkspaceBoardOptions {
  org: string;
  items: number;
  repos: readonly WorkspaceBoardRepo[];
  /** Ready items per repo at the start, each in its own area (at most the repo's areas). */
  readyPerRepo: number;
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

/** Status of the n-th item of a repo after its Ready ones: half Done, then Backlog, In Review, Triage. */
function statusOf(index: number): string {
  const slot = index % 10;
  if (slot < 5) return "Done";
  if (slot < 8) return "Backlog";
  return slot === 8 ? "In Review" : "Triage";
}

export function workspaceBoardSeed(options: WorkspaceBoardOptions): SeedInput {
  const perRepo = Math.floor(options.items / options.repos.length);
  const repos = options.repos.map((repo, repoIndex) => {
    const count = repoIndex === options.repos.length - 1 ? options.items - perRepo * repoIndex : perRepo;
    return { repo, numbers: Array.from({ length: count }, (_, index) => index + 1) };
  });
  return {
    orgs: [{ login: options.org }],
    repos: repos.map(({ repo, numbers }) => ({
      name: repo.name,
      issues: numbers.map((number) => ({ number, title: `${repo.name.split("/")[1]} task ${number}` })),
    })),
    projects: [
      {
        org: options.org,
        number: 1,
        title: `Workspace board (${options.items} items)`,
        fields: FIELDS,
        items: repos.flatMap(({ repo, numbers }) =>
          numbers.map((number) => {
            const ready = number <= Math.min(options.readyPerRepo, repo.areas.length);
            const status = ready ? "Ready" : statusOf(number);
            return {
              content: `${repo.name}#${number}`,
              fields: {
                Status: status,
                Area: repo.areas[(number - 1) % repo.areas.length] ?? null,
                "Lock Scope": "area",
                Priority: ["P1", "P2", "P3"][number % 3] ?? "P2",
                "Agent Mode": "cli",
              },
            };
          }),
        ),
      },
    ],
  };
}
