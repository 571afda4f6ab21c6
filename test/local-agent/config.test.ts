// Configuration: flags over a file, env fallbacks, errors that name the bad key, and --help.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { AgentConfigError, parseCommandLine } from "../../local-agent/config.ts";

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "local-agent", "cli.ts");
const run = promisify(execFile);
const base = ["--worker-url", "http://127.0.0.1:8787", "--repo", "acme/widgets", "--clone", "/tmp/widgets"];

function problems(
  argv: string[],
  env: NodeJS.ProcessEnv = { WORKER_FACTORY_AGENT_TOKEN: "t" },
): readonly string[] {
  try {
    parseCommandLine(argv, env);
  } catch (error) {
    if (error instanceof AgentConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a config error");
}

describe("config", () => {
  it("takes the token from WORKER_FACTORY_AGENT_TOKEN and fills defaults", () => {
    const parsed = parseCommandLine(base, { WORKER_FACTORY_AGENT_TOKEN: "secret" });
    if (parsed.help) throw new Error("unexpected help");
    expect(parsed.config).toMatchObject({
      token: "secret",
      agent: "codex",
      baseBranch: "main",
      concurrency: 1,
      clonePath: "/tmp/widgets",
      runFolder: "/tmp/.worker-factory-runs/widgets",
      stallTimeoutSeconds: 600,
    });
  });

  it("runs codex and claude on their live channels by default, and takes one-shot, a stop grace and a scope timeout", () => {
    const defaults = parseCommandLine(base, { WORKER_FACTORY_AGENT_TOKEN: "t" });
    if (defaults.help) throw new Error("unexpected help");
    expect(defaults.config).toMatchObject({
      agentChannel: "live",
      stopGraceSeconds: 30,
      scopeTimeoutSeconds: 300,
    });
    const chosen = parseCommandLine(
      [...base, "--agent-channel", "one-shot", "--stop-grace", "5", "--scope-timeout", "60"],
      { WORKER_FACTORY_AGENT_TOKEN: "t" },
    );
    if (chosen.help) throw new Error("unexpected help");
    expect(chosen.config).toMatchObject({
      agentChannel: "one-shot",
      stopGraceSeconds: 5,
      scopeTimeoutSeconds: 60,
    });
    expect(problems([...base, "--agent-channel", "stream"])).toEqual([
      "agentChannel (--agent-channel): expected one of live | one-shot",
    ]);
  });

  it("reads a JSON config file and lets flags override it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "wf-config-"));
    const file = path.join(dir, "agent.json");
    writeFileSync(
      file,
      JSON.stringify({
        workerUrl: "https://wf.example.dev",
        repo: "acme/widgets",
        token: "t",
        clonePath: "clone",
        agent: "claude",
        agentEnv: { ANTHROPIC_BASE_URL: "http://127.0.0.1:9" },
      }),
    );
    const parsed = parseCommandLine(["--config", file, "--concurrency", "3", "--agent-env", "X=1"], {});
    if (parsed.help) throw new Error("unexpected help");
    expect(parsed.config.clonePath).toBe(path.join(dir, "clone"));
    expect(parsed.config.agent).toBe("claude");
    expect(parsed.config.concurrency).toBe(3);
    expect(parsed.config.agentEnv).toEqual({ X: "1" });
  });

  it("accepts the shipped example config file", () => {
    const example = path.join(path.dirname(CLI), "examples", "agent.example.json");
    const parsed = parseCommandLine(["--config", example], { WORKER_FACTORY_AGENT_TOKEN: "t" });
    expect(parsed.help).toBe(false);
  });

  it("names the bad key and flag and what was expected", () => {
    expect(problems([...base, "--repo", "widgets"])).toEqual(["repo (--repo): expected owner/name"]);
    expect(problems([...base, "--concurrency", "zero"])[0]).toMatch(
      /^concurrency \(--concurrency\): .*number/,
    );
    expect(problems([...base, "--agent", "cursor"])).toEqual([
      "agent (--agent): expected one of codex | claude | copilot | custom",
    ]);
  });

  it("requires a token and names where it can come from", () => {
    expect(problems(base, {})).toEqual([
      "token (--token): expected the agent token (or set WORKER_FACTORY_AGENT_TOKEN)",
    ]);
  });

  it("requires a command template for a custom agent and rejects unknown placeholders", () => {
    expect(problems([...base, "--agent", "custom"])).toEqual([
      "agentCommand (--agent-command): required when agent is custom",
    ]);
    expect(problems([...base, "--agent", "custom", "--agent-command", "x {prompt}"])[0]).toMatch(
      /^agentCommand \(--agent-command\): unknown placeholder\(s\) prompt; expected \{promptFile\}/,
    );
  });

  it("names an unknown flag", () => {
    expect(problems([...base, "--colour"])[0]).toContain("--colour");
  });

  it("prints every option with --help", async () => {
    const { stdout } = await run(process.execPath, [CLI, "--help"]);
    for (const flag of [
      "--worker-url",
      "--repo",
      "--token",
      "--clone",
      "--base-branch",
      "--agent",
      "--agent-command",
      "--concurrency",
      "--run-folder",
      "--agent-timeout",
      "--stall-timeout",
      "--heartbeat-seconds",
      "--config",
      "WORKER_FACTORY_AGENT_TOKEN",
      "{promptFile}",
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it("exits 2 with the bad key when the CLI is misconfigured", async () => {
    const error = await run(process.execPath, [CLI, ...base, "--repo", "nope"], {
      env: { PATH: process.env.PATH },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("repo (--repo): expected owner/name"),
    });
  });
});
