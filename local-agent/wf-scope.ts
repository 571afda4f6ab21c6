/**
 * `wf-scope`: the command an agent runs to ask for files outside its lock scope (the seed's FAQ).
 * The daemon puts it on the run's PATH (scope-server.ts writes the wrapper that sets the run's
 * endpoint and secret). Exit codes: 0 granted, 1 refused (stop: the run is being requeued),
 * 2 bad usage, 3 no verdict (stay within your scope).
 */
import { parseArgs } from "node:util";
import { ScopeAnswer, ScopeView } from "./scope-server.ts";

const HELP = `Usage: wf-scope request <path>... [--reason TEXT]
       wf-scope show

Asks Worker Factory to widen this run's lock to the given paths (files or globs, relative to
the worktree) before you edit them. The RepoQueue grants it, or refuses when another item holds
an overlapping lock; then stop: the run is stopped and the item requeued.

Exit status: 0 granted, 1 refused, 2 bad usage, 3 no verdict (stay within your current scope).`;

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

function fail(code: number, text: string): never {
  process.stderr.write(`${text}\n`);
  process.exit(code);
}

async function call(pathname: string, body?: unknown): Promise<unknown> {
  const url = process.env.WF_SCOPE_URL;
  const secret = process.env.WF_SCOPE_SECRET;
  if (url === undefined || secret === undefined)
    fail(2, "wf-scope: run it inside a Worker Factory run (the run's bin folder sets its endpoint)");
  const wait = Number(process.env.WF_SCOPE_WAIT_SECONDS ?? "330");
  let response: Response;
  try {
    response = await fetch(`${url}${pathname}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(Math.max(1, wait) * 1000),
    });
  } catch (error) {
    fail(
      3,
      `wf-scope: the daemon did not answer (${error instanceof Error ? error.message : String(error)}); stay within your current scope`,
    );
  }
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message =
      typeof json === "object" && json !== null && "error" in json
        ? String(json.error)
        : `HTTP ${response.status}`;
    fail(response.status === 400 ? 2 : 3, `wf-scope: ${message}`);
  }
  return json;
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { reason: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    fail(2, `wf-scope: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
  }
  const [command, ...paths] = parsed.positionals;
  if (parsed.values.help === true || command === undefined) return out(HELP);
  if (command === "show") {
    const view = ScopeView.parse(await call("/scope"));
    out(`Area: ${view.area} (lock scope: ${view.lockScope})`);
    out(`Lock key(s): ${view.lockKeys.join(", ") || "(none)"}`);
    out(`Needed files: ${view.neededFiles.join(", ") || "(none listed)"}`);
    return;
  }
  if (command !== "request") fail(2, `wf-scope: unknown command ${command}\n\n${HELP}`);
  if (paths.length === 0) fail(2, "wf-scope request: name at least one path");
  const answer = ScopeAnswer.safeParse(
    await call("/scope/request", { paths, reason: parsed.values.reason ?? "" }),
  );
  if (!answer.success)
    fail(3, "wf-scope: the daemon's answer was not understood; stay within your current scope");
  const { granted, final, reason, lockKeys } = answer.data;
  if (granted) {
    out(`Scope granted: you may now also edit ${answer.data.paths.join(", ")}.`);
    out(`Lock key(s) held: ${lockKeys.join(", ") || "(none)"}`);
    return;
  }
  if (final)
    fail(
      1,
      `Scope refused: ${reason}\nStop now and do not edit those files: the run is being stopped and the item requeued.`,
    );
  fail(3, `No scope verdict: ${reason}. Stay within your current scope.`);
}

await main(process.argv.slice(2));
