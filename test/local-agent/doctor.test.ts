/**
 * The daemon's doctor on real git repositories, fixture executables and a real GitHub
 * emulator: each check a user would otherwise meet at dispatch (and pay an attempt for) is
 * found before the daemon connects, with what to do about it. The Worker's own checks are
 * exercised against a real Worker in test/e2e/daemon-fails-fast.test.ts.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { prepareAgentEnv } from "../../local-agent/agent-templates.ts";
import { parseAgentConfig, type AgentConfigInput } from "../../local-agent/config.ts";
import { runDoctor, type DoctorReport } from "../../local-agent/doctor.ts";
import { git, makeRepos, type Repos } from "./support/git-repos.ts";

let repos: Repos;
let emulator: RunningEmulator;
const fixtures = path.resolve("test/local-agent/fixtures");

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator.close();
});
afterEach(() => {
  if (repos) rmSync(repos.root, { recursive: true, force: true });
});

function config(overrides: Partial<AgentConfigInput> = {}) {
  return parseAgentConfig({
    // Nothing listens on port 9: the Worker's checks fail, the local ones are what is asserted.
    workerUrl: "http://127.0.0.1:9",
    repo: "acme/widgets",
    token: "t",
    clonePath: repos.clone,
    runFolder: repos.runFolder,
    agent: "custom",
    agentCommand: `sh ${fixtures}/noop.sh {promptFile}`,
    lockCheck: "off",
    connectTimeoutSeconds: 2,
    ...overrides,
  });
}

const check = (report: DoctorReport, name: string) => report.checks.find((entry) => entry.name === name);

/** An environment with its own HOME, as a user's machine would have. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = path.join(repos.root, "home");
  mkdirSync(home, { recursive: true });
  return { PATH: process.env.PATH ?? "", HOME: home, ...extra };
}

describe("doctor", () => {
  it("passes a clean, pushed clone with the agent found, and fails the unreachable Worker by name", async () => {
    repos = makeRepos();
    const report = await runDoctor(config(), userEnv());
    expect(report.ok).toBe(false);
    expect(check(report, "Worker")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/^cannot reach http:\/\/127\.0\.0\.1:9: /),
    });
    expect(check(report, "Clone")).toMatchObject({ status: "ok" });
    expect(check(report, "Base branch")).toEqual({
      name: "Base branch",
      status: "ok",
      detail: "main is clean and pushed (origin/main)",
    });
    expect(check(report, "Agent")).toMatchObject({
      status: "ok",
      detail: expect.stringMatching(/^custom: \/.*\/sh$/),
    });
    expect(check(report, "Board re-check")).toMatchObject({
      status: "ok",
      detail: expect.stringMatching(/^off \(--lock-check off\)/),
    });
  });

  it("finds a dirty base, then an unpushed one, before any dispatch", async () => {
    repos = makeRepos();
    writeFileSync(path.join(repos.clone, "scratch.txt"), "wip\n");
    expect(check(await runDoctor(config(), userEnv()), "Base branch")?.detail).toBe(
      "the clone is dirty: 1 uncommitted change(s) (e.g. ?? scratch.txt); commit or stash them and push main",
    );
    git(repos.clone, "add", "scratch.txt");
    git(repos.clone, "commit", "-q", "-m", "wip");
    expect(check(await runDoctor(config(), userEnv()), "Base branch")?.detail).toBe(
      "main is 1 commit(s) ahead of origin/main: push it first",
    );
  });

  it("names a missing clone and a missing agent executable", async () => {
    repos = makeRepos();
    const report = await runDoctor(
      config({ clonePath: path.join(repos.root, "nowhere"), agent: "codex", agentCommand: undefined }),
      userEnv({ PATH: "/nonexistent" }),
    );
    expect(check(report, "Clone")?.detail).toBe(
      `${path.join(repos.root, "nowhere")} does not exist; clone the repo there or pass --clone`,
    );
    expect(check(report, "Agent")?.detail).toBe(
      "codex not found on PATH: install it (e.g. npm install -g @openai/codex) or pass --agent-bin",
    );
  });

  it("asks for the board re-check's token and workspace config, or an explicit --lock-check off", async () => {
    repos = makeRepos();
    const report = await runDoctor(config({ lockCheck: "board" }), userEnv());
    expect(check(report, "Board re-check")?.detail).toBe(
      "needs a GitHub token (--github-token or GITHUB_TOKEN) and the workspace config (--workspace-config); or turn it off explicitly with --lock-check off",
    );
    const configured = await runDoctor(
      config({
        lockCheck: "board",
        githubToken: "t",
        githubApiUrl: emulator.url,
        workspaceConfig: path.resolve("workspace.config.json"),
      }),
      userEnv(),
    );
    expect(check(configured, "Board re-check")).toEqual({
      name: "Board re-check",
      status: "ok",
      detail: `reads project phoenix-agentic#1 (${emulator.url})`,
    });
  });
});

describe("agent credentials", () => {
  const codex = (extra: Partial<AgentConfigInput> = {}) =>
    config({ agent: "codex", agentCommand: undefined, agentBin: `${fixtures}/noop.sh`, ...extra });

  it("fails Codex with no login, no key and no provider, saying how to give it one", async () => {
    repos = makeRepos();
    const detail = check(await runDoctor(codex(), userEnv()), "Credentials")?.detail;
    expect(detail).toMatch(
      /^no credentials for Codex: run `codex login` \(it writes .*\/home\/\.codex\/auth\.json\), export OPENAI_API_KEY/,
    );
    expect(check(await runDoctor(codex(), userEnv({ OPENAI_API_KEY: "sk-x" })), "Credentials")?.status).toBe(
      "ok",
    );
  });

  it("carries the user's Codex login into the run's fresh home, where the agent process reads it", async () => {
    repos = makeRepos();
    const env = userEnv();
    const login = path.join(env.HOME!, ".codex", "auth.json");
    mkdirSync(path.dirname(login), { recursive: true });
    writeFileSync(login, '{"tokens":"from-the-user"}');
    expect(check(await runDoctor(codex(), env), "Credentials")?.detail).toBe(
      `your login ${login} (linked into each run's CODEX_HOME)`,
    );
    const runDir = path.join(repos.runFolder, "run-1");
    const runEnv = prepareAgentEnv({
      kind: "codex",
      runId: "run-1",
      runDir,
      parentEnv: env,
      extraEnv: {},
      values: { promptFile: "p", worktree: runDir, branch: "b", runId: "run-1", issue: "1" },
      gitIdentity: { name: null, email: null },
      isRoot: false,
    });
    expect(runEnv.HOME).not.toBe(env.HOME);
    const seen = execFileSync("sh", ["-c", 'cat "$CODEX_HOME/auth.json"'], { env: runEnv, encoding: "utf8" });
    expect(seen).toBe('{"tokens":"from-the-user"}');
    expect(realpathSync(path.join(runEnv.CODEX_HOME!, "auth.json"))).toBe(realpathSync(login));
  });

  it("accepts a model provider from the home template only when its key variable is set", async () => {
    repos = makeRepos();
    const template = path.join(repos.root, "codex-template");
    mkdirSync(template);
    writeFileSync(
      path.join(template, "config.toml"),
      'model_provider = "local"\n[model_providers.local]\nbase_url = "http://127.0.0.1:1/v1"\nenv_key = "LOCAL_KEY"\n',
    );
    const without = await runDoctor(codex({ agentHomeTemplate: template }), userEnv());
    expect(check(without, "Credentials")?.detail).toMatch(/reads its key from LOCAL_KEY, which is not set/);
    const withKey = await runDoctor(
      codex({ agentHomeTemplate: template, agentEnv: { LOCAL_KEY: "k" } }),
      userEnv(),
    );
    expect(check(withKey, "Credentials")).toMatchObject({
      status: "ok",
      detail: 'model provider "local" from --agent-home-template',
    });
  });

  it("refuses a classic ghp_ token for Copilot CLI and takes a fine-grained one", async () => {
    repos = makeRepos();
    const copilot = config({ agent: "copilot", agentCommand: undefined, agentBin: `${fixtures}/noop.sh` });
    const classic = await runDoctor(copilot, userEnv({ GH_TOKEN: "ghp_abc" }));
    expect(check(classic, "Credentials")?.detail).toMatch(/^GH_TOKEN is a classic personal access token/);
    const fine = await runDoctor(copilot, userEnv({ COPILOT_GITHUB_TOKEN: "github_pat_abc" }));
    expect(check(fine, "Credentials")).toMatchObject({
      status: "ok",
      detail: "COPILOT_GITHUB_TOKEN (passed to each run)",
    });
  });

  it("passes Claude Code on ANTHROPIC_API_KEY or the user's login file", async () => {
    repos = makeRepos();
    const claude = config({ agent: "claude", agentCommand: undefined, agentBin: `${fixtures}/noop.sh` });
    expect(check(await runDoctor(claude, userEnv()), "Credentials")?.status).toBe("fail");
    expect(check(await runDoctor(claude, userEnv({ ANTHROPIC_API_KEY: "k" })), "Credentials")?.detail).toBe(
      "ANTHROPIC_API_KEY (passed to each run)",
    );
    const env = userEnv();
    const login = path.join(env.HOME!, ".claude", ".credentials.json");
    mkdirSync(path.dirname(login), { recursive: true });
    writeFileSync(login, "{}");
    chmodSync(login, 0o600);
    expect(check(await runDoctor(claude, env), "Credentials")?.detail).toBe(
      `your login ${login} (linked into each run's CLAUDE_CONFIG_DIR)`,
    );
    expect(readFileSync(login, "utf8")).toBe("{}");
  });
});
