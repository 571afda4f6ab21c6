/**
 * The daemon's configuration: command-line flags over an optional JSON file (`--config`),
 * with environment fallbacks for secrets. Validated with zod once, at start-up; an error
 * names the bad key, its flag, and what was expected. Used by cli.ts and by tests.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { TEMPLATE_PLACEHOLDERS, unknownPlaceholders } from "./agent-templates.ts";

export const AGENT_KINDS = ["codex", "claude", "copilot", "custom"] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];
/** `live`: codex and claude run steerable sessions (app-server, stream-json); `one-shot`: `codex exec` / `claude -p`. */
export const AGENT_CHANNELS = ["live", "one-shot"] as const;

const seconds = (min: number) =>
  z
    .number()
    .int()
    .min(min)
    .max(7 * 24 * 3600);

const ConfigInput = z
  .object({
    $schema: z.string().optional(),
    workerUrl: z
      .url({ protocol: /^(https?|wss?)$/, error: "expected an http(s) or ws(s) URL" })
      .transform((url) => url.replace(/\/+$/, "")),
    repo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "expected owner/name"),
    token: z.string({ error: "expected the agent token (or set WORKER_FACTORY_AGENT_TOKEN)" }).min(1),
    clonePath: z.string().min(1),
    baseBranch: z.string().min(1).default("main"),
    agent: z.enum(AGENT_KINDS, { error: `expected one of ${AGENT_KINDS.join(" | ")}` }).default("codex"),
    /** For `custom`: the command template, split into argv without a shell. */
    agentCommand: z.string().min(1).optional(),
    /** For the built-in kinds: the executable to run instead of `codex`/`claude`/`copilot`. */
    agentBin: z.string().min(1).optional(),
    agentChannel: z
      .enum(AGENT_CHANNELS, { error: `expected one of ${AGENT_CHANNELS.join(" | ")}` })
      .default("live"),
    agentArgs: z.array(z.string()).default([]),
    agentEnv: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an env var name"), z.string())
      .default({}),
    /** A folder copied into each run's tool config home (e.g. a Codex config.toml). */
    agentHomeTemplate: z.string().min(1).optional(),
    concurrency: z.number().int().min(1).max(64).default(1),
    runFolder: z.string().min(1).optional(),
    agentTimeoutSeconds: seconds(1).default(3600),
    stallTimeoutSeconds: seconds(1).default(600),
    /** How long a stopping agent gets (stop_and_requeue, checkpoint) before its whole tree is killed. */
    stopGraceSeconds: seconds(1).default(30),
    /** How long `wf-scope request` waits for the RepoQueue's verdict. */
    scopeTimeoutSeconds: seconds(1).default(300),
    /** Overrides the heartbeat interval the RepoQueue sends in `welcome`. */
    heartbeatSeconds: seconds(1).optional(),
    agentId: z.string().min(1).max(128).optional(),
    /** `board`: re-check locks against live board data before writing code; `off`: trust the RepoQueue. */
    lockCheck: z.enum(["board", "off"]).default("board"),
    githubToken: z.string().min(1).optional(),
    githubApiUrl: z.url().optional(),
    /** The workspace config file (project, field names, statuses, areas) for the board check. */
    workspaceConfig: z.string().min(1).optional(),
    keepWorktrees: z.boolean().default(false),
    connectTimeoutSeconds: seconds(1).default(10),
    logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
    /** `text`: one readable line per event; `json`: one JSON object per line, for services. */
    logFormat: z.enum(["text", "json"]).default("text"),
    /** Retention of finished run folders: the newest `keepRuns`, none older than `keepDays`. */
    keepRuns: z.number().int().min(1).max(100_000).default(50),
    keepDays: z.number().int().min(1).max(3650).default(14),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.agent === "custom" && config.agentCommand === undefined) {
      ctx.addIssue({ code: "custom", path: ["agentCommand"], message: "required when agent is custom" });
    }
    if (config.agentCommand !== undefined) {
      const unknown = unknownPlaceholders(config.agentCommand);
      if (unknown.length > 0) {
        ctx.addIssue({
          code: "custom",
          path: ["agentCommand"],
          message: `unknown placeholder(s) ${unknown.join(", ")}; expected ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
        });
      }
    }
  });

export type AgentConfig = Omit<z.infer<typeof ConfigInput>, "$schema" | "runFolder"> & {
  runFolder: string;
  clonePath: string;
  agentId: string;
};
export type AgentConfigInput = z.input<typeof ConfigInput>;

/** Config key → command-line flag, for --help and for error messages. */
export const FLAGS: Record<Exclude<keyof AgentConfigInput, "$schema">, { flag: string; help: string }> = {
  workerUrl: { flag: "--worker-url", help: "Worker base URL (http(s) or ws(s)); required" },
  repo: { flag: "--repo", help: "repository this daemon serves, owner/name; required" },
  token: { flag: "--token", help: "agent token for this repo (env WORKER_FACTORY_AGENT_TOKEN); required" },
  clonePath: { flag: "--clone", help: "path of the local clone; required" },
  baseBranch: { flag: "--base-branch", help: "base branch worktrees start from (default main)" },
  agent: { flag: "--agent", help: "codex | claude | copilot | custom (default codex)" },
  agentCommand: {
    flag: "--agent-command",
    help: "custom command template, e.g. 'my-agent --prompt {promptFile}'; placeholders {promptFile} {worktree} {branch} {runId} {issue}",
  },
  agentBin: {
    flag: "--agent-bin",
    help: "executable for the built-in kinds (default: codex/claude/copilot on PATH)",
  },
  agentChannel: {
    flag: "--agent-channel",
    help: "live | one-shot: codex/claude as steerable sessions (app-server, stream-json) or exec/-p (default live)",
  },
  agentArgs: {
    flag: "--agent-arg",
    help: "extra argument for the agent, repeatable (file: agentArgs array)",
  },
  agentEnv: {
    flag: "--agent-env",
    help: "extra env var KEY=VALUE for the agent, repeatable (file: agentEnv object)",
  },
  agentHomeTemplate: {
    flag: "--agent-home-template",
    help: "folder copied into each run's tool config home",
  },
  concurrency: { flag: "--concurrency", help: "runs at once, 1-64 (default 1)" },
  runFolder: {
    flag: "--run-folder",
    help: "where runs live (default <clone>/../.worker-factory-runs/<clone name>)",
  },
  agentTimeoutSeconds: { flag: "--agent-timeout", help: "seconds before an agent is killed (default 3600)" },
  stallTimeoutSeconds: {
    flag: "--stall-timeout",
    help: "seconds without output (or protocol events) before a run counts as stalled (default 600)",
  },
  stopGraceSeconds: {
    flag: "--stop-grace",
    help: "seconds a stopping agent gets before its process tree is killed (default 30)",
  },
  scopeTimeoutSeconds: {
    flag: "--scope-timeout",
    help: "seconds wf-scope waits for the RepoQueue's verdict (default 300)",
  },
  heartbeatSeconds: {
    flag: "--heartbeat-seconds",
    help: "heartbeat interval; default: what the Worker says in welcome",
  },
  agentId: { flag: "--agent-id", help: "name this daemon reports (default <hostname>:<repo>)" },
  lockCheck: {
    flag: "--lock-check",
    help: "board | off: re-check locks on the live board before writing code (default board)",
  },
  githubToken: { flag: "--github-token", help: "token for the board re-check (env GITHUB_TOKEN)" },
  githubApiUrl: {
    flag: "--github-api-url",
    help: "GitHub API URL (env GITHUB_API_URL; default https://api.github.com)",
  },
  workspaceConfig: {
    flag: "--workspace-config",
    help: "workspace config JSON (project, fields, statuses) for the board re-check",
  },
  keepWorktrees: { flag: "--keep-worktrees", help: "keep clean worktrees of finished runs too" },
  connectTimeoutSeconds: {
    flag: "--connect-timeout",
    help: "seconds to wait for the WebSocket handshake (default 10)",
  },
  logLevel: { flag: "--log-level", help: "debug | info | warn | error (default info)" },
  logFormat: {
    flag: "--log-format",
    help: "text | json: readable lines, or JSON lines for services (default text)",
  },
  keepRuns: {
    flag: "--keep-runs",
    help: "finished run folders to keep (default 50; never one with uncommitted work)",
  },
  keepDays: { flag: "--keep-days", help: "days to keep a finished run folder (default 14)" },
};

export class AgentConfigError extends Error {
  override readonly name = "AgentConfigError";
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid local-agent config:\n  ${problems.join("\n  ")}`);
    this.problems = problems;
  }
}

const NUMBER_KEYS = new Set([
  "concurrency",
  "agentTimeoutSeconds",
  "stallTimeoutSeconds",
  "stopGraceSeconds",
  "scopeTimeoutSeconds",
  "heartbeatSeconds",
  "connectTimeoutSeconds",
  "keepRuns",
  "keepDays",
]);

export type ParsedCommandLine = { help: true } | { help: false; config: AgentConfig };

/**
 * Parses argv (without node and the script) plus env into a validated config.
 * Throws AgentConfigError naming every bad key and flag.
 */
export function parseCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ParsedCommandLine {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean }> = {
    help: { type: "boolean" },
    config: { type: "string" },
  };
  for (const [key, { flag }] of Object.entries(FLAGS)) {
    const name = flag.slice(2);
    if (key === "keepWorktrees") options[name] = { type: "boolean" };
    else if (key === "agentArgs" || key === "agentEnv") options[name] = { type: "string", multiple: true };
    else options[name] = { type: "string" };
  }
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new AgentConfigError([errorMessage(error)]);
  }
  if (values.help === true) return { help: true };

  let fromFile: Record<string, unknown> = {};
  const configPath = values.config;
  if (typeof configPath === "string") fromFile = readConfigFile(configPath);

  const fromFlags: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, { flag }] of Object.entries(FLAGS)) {
    const value = values[flag.slice(2)];
    if (value === undefined) continue;
    if (key === "agentEnv" && Array.isArray(value)) {
      const record: Record<string, string> = {};
      for (const pair of value) {
        const text = String(pair);
        const eq = text.indexOf("=");
        if (eq <= 0) problems.push(`agentEnv (${flag}): expected KEY=VALUE, got "${text}"`);
        else record[text.slice(0, eq)] = text.slice(eq + 1);
      }
      fromFlags[key] = record;
    } else if (NUMBER_KEYS.has(key) && typeof value === "string") {
      const number = Number(value);
      fromFlags[key] = value.trim() === "" || Number.isNaN(number) ? value : number;
    } else {
      fromFlags[key] = value;
    }
  }
  if (problems.length > 0) throw new AgentConfigError(problems);

  const merged: Record<string, unknown> = { ...fromFile, ...fromFlags };
  merged.token ??= env.WORKER_FACTORY_AGENT_TOKEN;
  merged.githubToken ??= env.GITHUB_TOKEN;
  merged.githubApiUrl ??= env.GITHUB_API_URL;
  for (const key of ["token", "githubToken", "githubApiUrl"]) if (merged[key] === "") delete merged[key];
  const baseDir = typeof configPath === "string" ? path.dirname(path.resolve(configPath)) : process.cwd();
  return { help: false, config: parseAgentConfig(merged, baseDir) };
}

/** Validates a config object (e.g. from a test); relative paths resolve against `baseDir`. */
export function parseAgentConfig(raw: unknown, baseDir: string = process.cwd()): AgentConfig {
  const result = ConfigInput.safeParse(raw);
  if (!result.success) {
    throw new AgentConfigError(
      result.error.issues.map((issue) => {
        const key = issue.path.length > 0 ? issue.path.join(".") : "(config)";
        const flag = flagOf(issue.path[0]);
        const message =
          issue.code === "unrecognized_keys" ? `unknown key(s) ${issue.keys.join(", ")}` : issue.message;
        return `${key}${flag === undefined ? "" : ` (${flag})`}: ${message}`;
      }),
    );
  }
  const { $schema: _schema, ...config } = result.data;
  const clonePath = path.resolve(baseDir, config.clonePath);
  const runFolder =
    config.runFolder === undefined
      ? path.join(path.dirname(clonePath), ".worker-factory-runs", path.basename(clonePath))
      : path.resolve(baseDir, config.runFolder);
  return {
    ...config,
    clonePath,
    runFolder,
    agentHomeTemplate:
      config.agentHomeTemplate === undefined ? undefined : path.resolve(baseDir, config.agentHomeTemplate),
    workspaceConfig:
      config.workspaceConfig === undefined ? undefined : path.resolve(baseDir, config.workspaceConfig),
    agentId: config.agentId ?? `${hostname()}:${config.repo}`,
  };
}

function flagOf(key: PropertyKey | undefined): string | undefined {
  const entry = Object.entries(FLAGS).find(([name]) => name === key);
  return entry?.[1].flag;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new AgentConfigError([`config (--config): cannot read ${file}: ${errorMessage(error)}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new AgentConfigError([`config (--config): ${file} is not valid JSON (${errorMessage(error)})`]);
  }
  const parsed = z.record(z.string(), z.unknown()).safeParse(raw);
  if (!parsed.success) throw new AgentConfigError([`config (--config): ${file} must hold a JSON object`]);
  return parsed.data;
}

/** The --help text: every flag, its config-file key, and the environment fallbacks. */
export function helpText(): string {
  const width = Math.max(...Object.values(FLAGS).map(({ flag }) => flag.length)) + 10;
  const lines = Object.entries(FLAGS).map(([key, { flag, help }]) => {
    const value = key === "keepWorktrees" ? "" : " <v>";
    return `  ${(flag + value).padEnd(width)}${help}  [file: ${key}]`;
  });
  return [
    "worker-factory-agent — the local-agent daemon: one per repo on a workstation.",
    "",
    "Holds a WebSocket to the repo's RepoQueue (GET <worker>/agents/connect?repo=owner/name),",
    "re-checks locks on the live board, makes a clean git worktree per dispatched item,",
    "writes a run-scoped prompt file, runs the CLI agent, heartbeats, applies steering, reports.",
    "",
    "Usage: npm run agent -- --worker-url URL --repo owner/name --clone PATH [options]",
    "       npm run agent -- --config agent.json [options]   (flags override the file)",
    "       npm run agent -- doctor [options]   (check everything the daemon needs, then exit)",
    "",
    "Before it connects the daemon runs the same checks as doctor and exits 1 if one fails: the",
    "Worker reachable, the token valid, the clone and its base branch clean and pushed, the agent",
    "found with credentials that reach a run, the board re-check configured (or --lock-check off).",
    "",
    "Options:",
    `  ${"--config <file>".padEnd(width)}JSON file with any of the keys below (paths relative to it)`,
    ...lines,
    `  ${"--help".padEnd(width)}show this text`,
    "",
    "Environment: WORKER_FACTORY_AGENT_TOKEN (token), GITHUB_TOKEN, GITHUB_API_URL (board re-check).",
    "Passed to agents: OPENAI_*, ANTHROPIC_*, COPILOT_PROVIDER_*, COPILOT_MODEL, GH_TOKEN, GITHUB_TOKEN,",
    "COPILOT_GITHUB_TOKEN, proxy and locale variables; each run gets an empty HOME and its own tool home.",
    "",
    "Run folder: <runFolder>/<runId>/{worktree,prompt.md,agent.log,home}; daemon-state.json keeps",
    "unacknowledged frames and applied ids so a restart never runs a dispatch twice.",
  ].join("\n");
}
