// The pure parts of the daemon: agent templates and run environment, branch names, judging a
// run by the repository, PR URLs, the lock re-check, and worktree clean-up rules.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseWorkspaceConfig } from "../../worker/config/workspace-config.ts";
import type { BoardItem } from "../../worker/board/board-item.ts";
import { boardItem } from "../support/board-items.ts";
import { DispatchArgs } from "../../worker/protocol/messages.ts";
import {
  buildAgentCommand,
  prepareAgentEnv,
  splitCommand,
  type TemplateValues,
} from "../../local-agent/agent-templates.ts";
import { findLockConflict } from "../../local-agent/check.ts";
import {
  branchName,
  prepareWorktree,
  removeCleanWorktree,
  slugify,
} from "../../local-agent/prepare-worktree.ts";
import { judgeRun } from "../../local-agent/report.ts";
import { findPrUrls } from "../../local-agent/run-agent.ts";
import { git, makeRepos, type Repos } from "./support/git-repos.ts";

const values: TemplateValues = {
  promptFile: "/runs/r1/prompt.md",
  worktree: "/runs/r1/worktree",
  branch: "subfeature/task/5-x",
  runId: "r1",
  issue: "5",
};
const command = (kind: "codex" | "claude" | "copilot") =>
  buildAgentCommand({
    kind,
    extraArgs: ["--model", "m"],
    promptText: "do it",
    lastMessageFile: "/runs/r1/last.md",
    values,
  });

describe("agent templates", () => {
  it("runs codex exec with the documented non-interactive flags", () => {
    expect(command("codex")).toEqual({
      file: "codex",
      args: [
        "exec",
        "--json",
        "--ephemeral",
        "-C",
        "/runs/r1/worktree",
        "--dangerously-bypass-approvals-and-sandbox",
        "--disable",
        "plugins",
        "--disable",
        "unbounded_connection_retries",
        "-c",
        "analytics.enabled=false",
        "-o",
        "/runs/r1/last.md",
        "--model",
        "m",
        "do it",
      ],
    });
  });

  it("runs claude -p with stream-json and bypassPermissions", () => {
    expect(command("claude")).toEqual({
      file: "claude",
      args: [
        "-p",
        "do it",
        "--output-format",
        "stream-json",
        "--verbose",
        "--permission-mode",
        "bypassPermissions",
        "--no-session-persistence",
        "--model",
        "m",
      ],
    });
  });

  it("runs copilot -p with all tools allowed, no updates, no telemetry", () => {
    expect(command("copilot")).toEqual({
      file: "copilot",
      args: [
        "-C",
        "/runs/r1/worktree",
        "-p",
        "do it",
        "--allow-all-tools",
        "--no-ask-user",
        "--no-auto-update",
        "--disable-client-telemetry",
        "--output-format",
        "json",
        "--model",
        "m",
      ],
    });
  });

  it("splits a custom template into argv without a shell and fills placeholders", () => {
    expect(
      buildAgentCommand({
        kind: "custom",
        template: `my-agent --prompt={promptFile} "issue #{issue}" '{branch}' a\\ b`,
        extraArgs: [],
        promptText: "",
        lastMessageFile: "",
        values,
      }),
    ).toEqual({
      file: "my-agent",
      args: ["--prompt=/runs/r1/prompt.md", "issue #5", "subfeature/task/5-x", "a b"],
    });
    expect(() => splitCommand(`x "open`)).toThrow(/unterminated/);
  });

  it("gives a run an empty HOME, its own tool home, telemetry off, and passes model endpoints through", () => {
    const runDir = mkdtempSync(path.join(tmpdir(), "wf-env-"));
    const env = prepareAgentEnv({
      kind: "claude",
      runId: "r1",
      runDir,
      parentEnv: {
        PATH: "/usr/bin",
        HOME: "/root",
        ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
        OPENAI_API_KEY: "k",
        AWS_SECRET_ACCESS_KEY: "no",
      },
      extraEnv: { CLAUDE_CODE_MAX_RETRIES: "0" },
      values,
      gitIdentity: { name: "A", email: "a@example.com" },
      isRoot: true,
    });
    expect(env).toMatchObject({
      PATH: "/usr/bin",
      HOME: path.join(runDir, "home"),
      CLAUDE_CONFIG_DIR: path.join(runDir, "claude-config"),
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
      OPENAI_API_KEY: "k",
      IS_SANDBOX: "1",
      DISABLE_TELEMETRY: "1",
      DISABLE_AUTOUPDATER: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      CLAUDE_CODE_MAX_RETRIES: "0",
      GIT_AUTHOR_EMAIL: "a@example.com",
      WORKER_FACTORY_RUN_ID: "r1",
    });
    expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    const codex = prepareAgentEnv({
      kind: "codex",
      runId: "r1",
      runDir,
      parentEnv: {},
      extraEnv: {},
      values,
      gitIdentity: { name: null, email: null },
      isRoot: false,
    });
    expect(codex.CODEX_HOME).toBe(path.join(runDir, "codex-home"));
    const copilot = prepareAgentEnv({
      kind: "copilot",
      runId: "r1",
      runDir,
      parentEnv: { COPILOT_PROVIDER_BASE_URL: "http://x" },
      extraEnv: {},
      values,
      gitIdentity: { name: null, email: null },
      isRoot: false,
    });
    expect(copilot).toMatchObject({
      COPILOT_HOME: path.join(runDir, "copilot-home"),
      COPILOT_OFFLINE: "true",
    });
  });
});

describe("branch names", () => {
  it("slugs a title to lowercase ascii words with hyphens, at most 40 characters", () => {
    expect(slugify("Add Telemetry logging to the Worker!")).toBe("add-telemetry-logging-to-the-worker");
    expect(slugify("Über café — naïve résumé")).toBe("uber-cafe-naive-resume");
    expect(slugify("a".repeat(39) + " bcd")).toBe("a".repeat(39));
    expect(slugify("!!!")).toBe("task");
    expect(branchName(57, "Worker telemetry")).toBe("subfeature/task/57-worker-telemetry");
  });
});

describe("judging a run", () => {
  const repo = (commits: number, dirty = false) => ({
    commits: Array.from({ length: commits }, (_, i) => `sha${i}`),
    dirty,
    unpushed: 0,
  });
  it("succeeds only with exit 0 and at least one commit", () => {
    expect(judgeRun({ kind: "exited", exitCode: 0, lastStderrLine: null }, repo(2))).toEqual({
      outcome: "succeeded",
      reason: "agent exited 0 (2 commit(s) on the branch)",
      exitCode: 0,
    });
    expect(judgeRun({ kind: "exited", exitCode: 0, lastStderrLine: null }, repo(0)).reason).toBe(
      "agent exited 0 but made no commits",
    );
    expect(judgeRun({ kind: "exited", exitCode: 1, lastStderrLine: "boom" }, repo(1)).outcome).toBe("failed");
    expect(judgeRun({ kind: "timed_out", afterSeconds: 5 }, repo(0, true)).reason).toBe(
      "timed out after 5s (worktree has uncommitted changes)",
    );
    expect(judgeRun({ kind: "spawn_failed", message: "spawn codex ENOENT" }, repo(0)).reason).toBe(
      "could not start the agent: spawn codex ENOENT",
    );
  });

  it("finds PR URLs on GitHub and on the emulator", () => {
    expect(
      findPrUrls(
        `{"text":"Opened https://github.com/acme/widgets/pull/12."} and http://127.0.0.1:4010/acme/widgets/pull/3`,
      ),
    ).toEqual(["https://github.com/acme/widgets/pull/12", "http://127.0.0.1:4010/acme/widgets/pull/3"]);
  });
});

describe("lock re-check", () => {
  const config = parseWorkspaceConfig({
    workspace: "w",
    project: { org: "acme", number: 1 },
    repos: [
      {
        name: "acme/widgets",
        areas: [
          { name: "worker", paths: ["worker/"] },
          { name: "docs", paths: ["docs/"] },
        ],
      },
    ],
  });
  const item = (number: number, fields: Partial<BoardItem["fields"]>) =>
    boardItem({ number, repo: "acme/widgets", ...fields });
  const args = DispatchArgs.parse({
    repo: "acme/widgets",
    itemId: "PVTI_acme/widgets_57",
    issueNumber: 57,
    title: "t",
    url: "u",
    area: "worker",
    lockScope: "area",
    lockKeys: ["worker"],
    neededFiles: [],
    dependsOn: [],
    baseBranch: "main",
    risk: "medium",
    agentMode: null,
    attempt: 1,
  });

  it("reports an active item holding an overlapping key in the seed's words", () => {
    const board = [
      item(57, { status: "In Progress", area: "worker", lockKey: "worker" }),
      item(42, { status: "In Progress", area: "worker", lockKey: "worker:worker/a.ts" }),
    ];
    const result = findLockConflict(args, board, config, new Date());
    expect(result).toEqual({
      ok: false,
      reason: "Lock conflict: Issue #42 currently holds overlapping lock key(s). (worker:worker/a.ts)",
    });
  });

  it("passes when other active items hold other areas or are not active", () => {
    const board = [
      item(43, { status: "In Progress", area: "docs", lockKey: "docs:docs/a.md" }),
      item(44, { status: "Ready", area: "worker" }),
    ];
    expect(findLockConflict(args, board, config, new Date())).toEqual({ ok: true });
  });
});

describe("worktree clean-up", () => {
  const prepare = (repos: Repos, run: string, issueNumber: number, title: string, extra = {}) =>
    prepareWorktree({
      clonePath: repos.clone,
      baseBranch: "main",
      runFolder: repos.runFolder,
      runDir: path.join(repos.runFolder, run),
      issueNumber,
      title,
      ...extra,
    });

  it("never removes a worktree holding uncommitted work, and removes a clean one", async () => {
    const repos = makeRepos();
    const prepared = await prepare(repos, "r1", 9, "x");
    if (!prepared.ok) throw new Error(prepared.reason);
    writeFileSync(path.join(prepared.worktree, "wip.txt"), "wip");
    expect(await removeCleanWorktree(repos.clone, prepared.worktree)).toEqual({
      removed: false,
      reason: "worktree holds uncommitted work",
    });
    expect(readFileSync(path.join(prepared.worktree, "wip.txt"), "utf8")).toBe("wip");
    const other = await prepare(repos, "r3", 10, "y");
    if (!other.ok) throw new Error(other.reason);
    expect(await removeCleanWorktree(repos.clone, other.worktree)).toEqual({ removed: true });
  });

  it("continues in the worktree an earlier attempt left in the run folder, with its uncommitted work", async () => {
    const repos = makeRepos();
    const first = await prepare(repos, "r1", 9, "x");
    if (!first.ok) throw new Error(first.reason);
    writeFileSync(path.join(first.worktree, "wip.txt"), "wip");
    const again = await prepare(repos, "r2", 9, "x");
    expect(again).toEqual({
      ok: true,
      branch: "subfeature/task/9-x",
      worktree: first.worktree,
      from: "subfeature/task/9-x",
      resumed: { commits: 0, dirty: true },
    });
  });

  it("refuses a branch checked out outside the run folder, or by a run still live", async () => {
    const repos = makeRepos();
    const mine = path.join(repos.root, "my-own-worktree");
    git(repos.clone, "worktree", "add", "-q", "-b", "subfeature/task/11-z", mine, "origin/main");
    expect(await prepare(repos, "r1", 11, "z")).toEqual({
      ok: false,
      reason: `branch subfeature/task/11-z is checked out in ${mine}; finish or remove that worktree first`,
    });
    const live = await prepare(repos, "r2", 12, "w");
    if (!live.ok) throw new Error(live.reason);
    expect(await prepare(repos, "r3", 12, "w", { busyWorktrees: [live.worktree] })).toEqual({
      ok: false,
      reason: `branch subfeature/task/12-w is checked out in ${live.worktree} by a live run; finish or remove that worktree first`,
    });
  });

  it("refuses a base branch name git would not take, and a run folder that is not one folder down", async () => {
    const repos = makeRepos();
    for (const baseBranch of ["../../etc", "-x", "main\u0000", "a..b", "/abs", ".hidden", "x y"]) {
      const refused = await prepareWorktree({
        clonePath: repos.clone,
        baseBranch,
        runFolder: repos.runFolder,
        runDir: path.join(repos.runFolder, "r1"),
        issueNumber: 1,
        title: "t",
      });
      expect(refused).toEqual({
        ok: false,
        reason: `base branch ${JSON.stringify(baseBranch)} is not a valid branch name`,
      });
    }
    const outside = await prepare(repos, "../escaped", 1, "t");
    expect(outside).toMatchObject({ ok: false, reason: expect.stringMatching(/is not directly inside/) });
    expect(existsSync(path.join(repos.root, "escaped"))).toBe(false);
  });
});
