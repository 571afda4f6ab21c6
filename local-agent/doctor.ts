/**
 * `npm run agent -- doctor`, and the same checks before the daemon connects: the Worker
 * reachable, the agent token valid for the repo, the clone there with its base branch clean
 * and pushed, the agent's executable found and its credentials reaching a run, the board
 * re-check configured (or explicitly off), the run folder writable. Each failure says what to
 * do. A failed check costs nothing; only the board check spends one GraphQL point.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { BoardClient } from "../worker/board/board-client.ts";
import { ConfigError, parseWorkspaceConfigText } from "../worker/config/workspace-config.ts";
import { checkCredentials } from "./agent-credentials.ts";
import { splitCommand } from "./agent-templates.ts";
import type { AgentConfig } from "./config.ts";
import { git, gitLines } from "./git.ts";

export type CheckStatus = "ok" | "fail";
export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
}
export interface DoctorReport {
  repo: string;
  ok: boolean;
  /** The Worker refused the token: no retry can help (the CLI exits 3, not 1). */
  tokenRefused: boolean;
  checks: DoctorCheck[];
}

const ok = (name: string, detail: string): DoctorCheck => ({ name, status: "ok", detail });
const fail = (name: string, detail: string): DoctorCheck => ({ name, status: "fail", detail });
const message = (error: unknown): string => {
  if (error instanceof Error && error.cause instanceof Error) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
};

/** The Worker's http(s) base, whichever scheme the daemon was given. */
export function httpBase(workerUrl: string): string {
  return workerUrl.replace(/^ws(s?):/, "http$1:").replace(/\/+$/, "");
}

async function workerChecks(config: AgentConfig, timeoutMs: number): Promise<DoctorCheck[]> {
  const base = httpBase(config.workerUrl);
  let health: Response;
  try {
    health = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return [
      fail("Worker", `cannot reach ${base}: ${message(error)}`),
      fail("Agent token", "not checked: the Worker is unreachable"),
    ];
  }
  const body = (await health.text()).slice(0, 300);
  const worker =
    health.status === 200
      ? ok("Worker", `reachable at ${base} (${body})`)
      : fail("Worker", `${base}/healthz answered ${health.status}: ${body}`);
  // The upgrade route checks the token before anything else: 426 means the token is good.
  const url = `${base}/agents/connect?repo=${encodeURIComponent(config.repo)}`;
  let probe: Response;
  try {
    probe = await fetch(url, {
      headers: { authorization: `Bearer ${config.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return [worker, fail("Agent token", `cannot ask ${base}: ${message(error)}`)];
  }
  await probe.body?.cancel();
  const token =
    probe.status === 426
      ? ok("Agent token", `valid for ${config.repo}`)
      : probe.status === 401
        ? fail(
            "Agent token",
            `refused (401): the token is wrong, or ${config.repo} is not a repo of the workspace; get the repo's token with \`npx wf token ${config.repo}\``,
          )
        : fail("Agent token", `the Worker answered ${probe.status} to the token check`);
  return [worker, token];
}

async function cloneChecks(config: AgentConfig, timeoutMs: number): Promise<DoctorCheck[]> {
  const { clonePath, baseBranch } = config;
  if (!existsSync(clonePath)) {
    return [
      fail("Clone", `${clonePath} does not exist; clone the repo there or pass --clone`),
      fail("Base branch", "not checked: no clone"),
    ];
  }
  const top = await git(clonePath, ["rev-parse", "--show-toplevel"]);
  if (!top.ok) {
    return [
      fail("Clone", `${clonePath} is not a git clone: ${top.stderr}`),
      fail("Base branch", "not checked: no clone"),
    ];
  }
  const origin = await git(clonePath, ["remote", "get-url", "origin"]);
  if (!origin.ok) {
    return [
      fail("Clone", `${clonePath} has no remote "origin": runs push their branches there`),
      fail("Base branch", "not checked: no origin"),
    ];
  }
  const clone = ok("Clone", `${clonePath} (origin ${origin.stdout.trim()})`);
  const status = await gitLines(clonePath, ["status", "--porcelain"]);
  if (status === null) return [clone, fail("Base branch", `cannot read git status of ${clonePath}`)];
  if (status.length > 0) {
    return [
      clone,
      fail(
        "Base branch",
        `the clone is dirty: ${status.length} uncommitted change(s) (e.g. ${status[0]?.trim()}); commit or stash them and push ${baseBranch}`,
      ),
    ];
  }
  const fetched = await git(clonePath, ["fetch", "--quiet", "origin"], timeoutMs);
  if (!fetched.ok) return [clone, fail("Base branch", `git fetch origin failed: ${fetched.stderr}`)];
  const remote = `origin/${baseBranch}`;
  if (!(await git(clonePath, ["rev-parse", "--verify", "--quiet", `refs/remotes/${remote}^{commit}`])).ok) {
    return [clone, fail("Base branch", `${remote} does not exist: push ${baseBranch} or pass --base-branch`)];
  }
  if ((await git(clonePath, ["rev-parse", "--verify", "--quiet", `refs/heads/${baseBranch}`])).ok) {
    const ahead = await gitLines(clonePath, ["rev-list", `${remote}..refs/heads/${baseBranch}`]);
    if (ahead === null) return [clone, fail("Base branch", `cannot compare ${baseBranch} with ${remote}`)];
    if (ahead.length > 0) {
      return [
        clone,
        fail("Base branch", `${baseBranch} is ${ahead.length} commit(s) ahead of ${remote}: push it first`),
      ];
    }
  }
  return [clone, ok("Base branch", `${baseBranch} is clean and pushed (${remote})`)];
}

/** The executable a run starts, found as the run would find it (PATH, or a path). */
export function findExecutable(file: string, env: NodeJS.ProcessEnv): string | null {
  const runnable = (candidate: string): boolean => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (file.includes("/")) return runnable(file) ? path.resolve(file) : null;
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir !== "" && runnable(path.join(dir, file))) return path.join(dir, file);
  }
  return null;
}

function agentChecks(config: AgentConfig, env: NodeJS.ProcessEnv): DoctorCheck[] {
  let file: string;
  try {
    file =
      config.agent === "custom"
        ? (splitCommand(config.agentCommand ?? "")[0] ?? "")
        : (config.agentBin ?? config.agent);
  } catch (error) {
    return [fail("Agent", `--agent-command: ${message(error)}`)];
  }
  const found = file === "" ? null : findExecutable(file, env);
  const agent =
    found === null
      ? fail(
          "Agent",
          `${file || "(empty command)"} not found${file.includes("/") ? "" : " on PATH"}: install it (e.g. npm install -g ${NPM_PACKAGES[config.agent] ?? "it"}) or pass --agent-bin`,
        )
      : ok("Agent", `${config.agent}: ${found}`);
  const credentials = checkCredentials({
    kind: config.agent,
    env,
    agentEnv: config.agentEnv,
    agentArgs: config.agentArgs,
    homeTemplate: config.agentHomeTemplate,
  });
  return [
    agent,
    credentials.ok ? ok("Credentials", credentials.how) : fail("Credentials", credentials.problem),
  ];
}

const NPM_PACKAGES: Partial<Record<AgentConfig["agent"], string>> = {
  codex: "@openai/codex",
  claude: "@anthropic-ai/claude-code",
  copilot: "@github/copilot",
};

async function boardCheck(config: AgentConfig): Promise<DoctorCheck> {
  const name = "Board re-check";
  if (config.lockCheck === "off")
    return ok(name, "off (--lock-check off): runs trust the RepoQueue's gate alone");
  const missing = [
    config.githubToken === undefined ? "a GitHub token (--github-token or GITHUB_TOKEN)" : null,
    config.workspaceConfig === undefined ? "the workspace config (--workspace-config)" : null,
  ].filter((entry) => entry !== null);
  if (missing.length > 0) {
    return fail(name, `needs ${missing.join(" and ")}; or turn it off explicitly with --lock-check off`);
  }
  let workspace;
  try {
    workspace = parseWorkspaceConfigText(readFileSync(config.workspaceConfig ?? "", "utf8"));
  } catch (error) {
    const detail = error instanceof ConfigError ? error.problems.join("; ") : message(error);
    return fail(name, `--workspace-config ${config.workspaceConfig}: ${detail}`);
  }
  const client = new BoardClient({
    config: workspace,
    auth: { token: config.githubToken ?? "" },
    apiUrl: config.githubApiUrl,
    retry: { maxAttempts: 1 },
  });
  try {
    await client.projectId();
  } catch (error) {
    return fail(
      name,
      `cannot read project ${workspace.project.org}#${workspace.project.number}: ${message(error)}`,
    );
  }
  return ok(
    name,
    `reads project ${workspace.project.org}#${workspace.project.number} (${config.githubApiUrl ?? "https://api.github.com"})`,
  );
}

function runFolderCheck(config: AgentConfig): DoctorCheck {
  try {
    mkdirSync(config.runFolder, { recursive: true });
    accessSync(config.runFolder, constants.W_OK);
  } catch (error) {
    return fail("Run folder", `${config.runFolder} is not writable: ${message(error)}`);
  }
  return ok(
    "Run folder",
    `${config.runFolder} (keeps the newest ${config.keepRuns} finished runs, none past ${config.keepDays} days, never uncommitted work)`,
  );
}

export async function runDoctor(config: AgentConfig, env: NodeJS.ProcessEnv): Promise<DoctorReport> {
  const timeoutMs = config.connectTimeoutSeconds * 1000;
  const [worker, clone, board] = await Promise.all([
    workerChecks(config, timeoutMs),
    cloneChecks(config, Math.max(timeoutMs, 60_000)),
    boardCheck(config),
  ]);
  const checks = [...worker, ...clone, ...agentChecks(config, env), board, runFolderCheck(config)];
  const tokenRefused = checks.some(
    (check) => check.name === "Agent token" && check.status === "fail" && check.detail.startsWith("refused"),
  );
  return { repo: config.repo, ok: checks.every((check) => check.status === "ok"), tokenRefused, checks };
}

export function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const failed = report.checks.filter((check) => check.status === "fail").length;
  return [
    `worker-factory-agent doctor: ${report.repo}`,
    ...report.checks.map(
      (check) => `  ${check.status === "ok" ? "ok  " : "FAIL"}  ${check.name.padEnd(width)}  ${check.detail}`,
    ),
    failed === 0 ? "All checks passed." : `${failed} check(s) failed: fix them and run it again.`,
  ].join("\n");
}
