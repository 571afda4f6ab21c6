import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import bundled from "../../workspace.config.json";
import { app } from "../../worker/index.ts";
import {
  ConfigError,
  parseWorkspaceConfig,
  parseWorkspaceConfigText,
} from "../../worker/config/workspace-config.ts";

function problems(raw: unknown): readonly string[] {
  try {
    parseWorkspaceConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("config was accepted");
}

describe("workspace config", () => {
  it("ships the five Phoenix repos of the seed with their areas and the seed's field names", () => {
    const config = parseWorkspaceConfig(bundled);
    expect(config.repos.map((r) => r.name.split("/")[1])).toEqual([
      "Phoenix-Agentic-Engine",
      "Phoenix-Agentic-Engine-Backend",
      "Phoenix-Agentic-Engine-Interface",
      "Phoenix-Agentic-Website-Frontend",
      "Phoenix-Agentic-Website-Backend",
    ]);
    expect(config.fields.lockKey).toBe("Lock Key");
    expect(config.fields.leaseExpires).toBe("Lease Expires");
    expect(config.lease.durationSeconds).toBe(900);
  });

  it("defaults docs and ci to files scope and low risk, other areas to area scope", () => {
    const engine = parseWorkspaceConfig(bundled).repos[0];
    const byName = new Map(engine?.areas.map((a) => [a.name, a]));
    expect(byName.get("docs")).toMatchObject({ lockScope: "files", risk: "low" });
    expect(byName.get("ci")).toMatchObject({ lockScope: "files", risk: "low" });
    expect(byName.get("core")).toMatchObject({ lockScope: "area", risk: "high" });
    expect(byName.get("module/mcp")).toMatchObject({ lockScope: "area", risk: "medium" });
  });

  it("names the bad key and what was expected", () => {
    const bad = structuredClone(bundled) as Record<string, unknown> & { repos: { name: string }[] };
    bad.repos[1]!.name = "no-slash";
    expect(problems(bad)).toEqual(["repos.1.name: expected owner/name"]);
    expect(problems({ ...bundled, project: { org: "x", number: "1" } })[0]).toMatch(/^project\.number: /);
    expect(problems({ ...bundled, lease: { durationSeconds: 5 } })[0]).toMatch(/^lease\.durationSeconds: /);
    expect(problems({ ...bundled, surprise: true })[0]).toMatch(/surprise/);
  });

  it("refuses a repo listed twice and an area defined twice", () => {
    const twice = { ...bundled, repos: [bundled.repos[0], bundled.repos[0]] };
    expect(problems(twice)).toContain(
      'repos.1.name: duplicate repo "phoenix-agentic/Phoenix-Agentic-Engine"',
    );
  });

  it("reports text that is not JSON", () => {
    expect(() => parseWorkspaceConfigText("{")).toThrow(/not valid JSON/);
  });

  it("is overridden by the WORKSPACE_CONFIG variable", async () => {
    const custom = JSON.stringify({
      workspace: "solo",
      project: { org: "acme", number: 7 },
      repos: [{ name: "acme/app", areas: [{ name: "api", paths: ["api/"] }] }],
    });
    const response = await app.request("/healthz", {}, { ...env, WORKSPACE_CONFIG: custom });
    expect(await response.json()).toEqual({ status: "ok", workspace: "solo", repos: 1 });
  });

  it("makes the Worker answer 503 naming the bad key when WORKSPACE_CONFIG is invalid", async () => {
    const response = await app.request("/healthz", {}, { ...env, WORKSPACE_CONFIG: '{"workspace":""}' });
    expect(response.status).toBe(503);
    const body = await response.json<{ error: string }>();
    expect(body.error).toContain("workspace:");
    expect(body.error).toContain("project:");
  });
});
