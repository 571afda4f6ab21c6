/**
 * The live channel to Codex: `codex app-server` on stdio (JSON-RPC lines; `codex app-server
 * generate-ts --out DIR` prints the protocol). initialize → thread/start → turn/start with the
 * prompt; steering is `turn/steer` into the running turn, or `turn/start` (a new turn of the same
 * thread) once the turn has ended; stdin is closed after the last `turn/completed`.
 *
 * Why not `codex exec` + `codex queue --thread`: queue reports success, but a running exec never
 * reads the queued message (checked with the real CLI, shared/reference/live-steering.md), and
 * exec reads stdin only at start. The app-server owns the session, so `turn/steer` is direct.
 * The app-server is marked experimental: the version is pinned in package.json.
 */
import { z } from "zod";
import { startAgent, type AgentResult } from "../run-agent.ts";
import {
  processOptions,
  type AgentSession,
  type Delivery,
  type StreamSessionOptions,
} from "./agent-session.ts";
import { JsonRpcLines, type ServerRequestAnswer } from "./json-rpc-lines.ts";

export function codexAppServerArgs(extraArgs: readonly string[]): string[] {
  return [
    "app-server",
    "--disable",
    "plugins",
    "--disable",
    "unbounded_connection_retries",
    "-c",
    "analytics.enabled=false",
    ...extraArgs,
  ];
}

const textInput = (text: string) => [{ type: "text", text, text_elements: [] }];
const ThreadStarted = z.looseObject({ thread: z.looseObject({ id: z.string() }) });
const TurnPayload = z.looseObject({
  turn: z.looseObject({
    id: z.string(),
    status: z.string().optional(),
    error: z.looseObject({ message: z.string() }).nullable().optional(),
  }),
});
/** `item/completed` of an `agentMessage`: the model's words; the last one is its report. */
const AgentMessageItem = z.looseObject({
  item: z.looseObject({ type: z.literal("agentMessage"), text: z.string() }),
});
const ErrorPayload = z.looseObject({
  error: z.looseObject({ message: z.string() }),
  willRetry: z.boolean().optional(),
});

/** No person answers a daemon's agent: approvals are granted (the run owns its worktree), the rest declined. */
function answerServerRequest(method: string): ServerRequestAnswer {
  switch (method) {
    case "item/commandExecution/requestApproval":
    case "item/fileChange/requestApproval":
      return { result: { decision: "acceptForSession" } };
    case "execCommandApproval":
    case "applyPatchApproval":
      return { result: { decision: "approved_for_session" } };
    default:
      return { error: { code: -32601, message: `worker-factory's daemon does not answer ${method}` } };
  }
}

export function startCodexAppServerSession(options: StreamSessionOptions): AgentSession {
  const { logger } = options;
  let threadId: string | null = null;
  let activeTurn: string | null = null;
  const completedTurns = new Set<string>();
  let firstTurnStarted = false;
  let inFlight = 0;
  let failure: string | undefined;
  let lastMessage: string | undefined;

  const rpc = new JsonRpcLines((line) => agent.writeLine(line), {
    onNotification(method, params) {
      if (method === "turn/started") {
        const turn = TurnPayload.safeParse(params);
        if (turn.success && !completedTurns.has(turn.data.turn.id)) activeTurn = turn.data.turn.id;
      } else if (method === "turn/completed") {
        const turn = TurnPayload.safeParse(params);
        if (!turn.success) return;
        const { id, status, error } = turn.data.turn;
        completedTurns.add(id);
        if (activeTurn === id) activeTurn = null;
        failure = status === "failed" ? `Codex turn failed: ${error?.message ?? "no message"}` : undefined;
        logger.info("codex_turn_completed", { turnId: id, status });
        finishIfIdle();
      } else if (method === "item/completed") {
        const message = AgentMessageItem.safeParse(params);
        if (message.success) lastMessage = message.data.item.text;
      } else if (method === "error") {
        const payload = ErrorPayload.safeParse(params);
        if (payload.success && payload.data.willRetry !== true)
          failure = `Codex: ${payload.data.error.message}`;
      }
    },
    onServerRequest(method) {
      const answer = answerServerRequest(method);
      logger.info("codex_server_request", { method, answered: "result" in answer ? "granted" : "declined" });
      return answer;
    },
    onInvalidLine(line) {
      logger.debug("codex_invalid_line", { line: line.slice(0, 200) });
    },
  });

  const agent = startAgent({
    ...processOptions(options),
    command: { file: options.bin, args: codexAppServerArgs(options.extraArgs) },
    silence: "no output and no app-server events",
    stdin: "pipe",
    onStdoutLine: (line) => rpc.handleLine(line),
  });

  // Closing stdin mid-turn abandons the turn, so close only with no turn running and no steer in flight.
  function finishIfIdle(): void {
    if (firstTurnStarted && activeTurn === null && inFlight === 0) agent.endInput();
  }

  function adoptTurn(result: unknown): void {
    const turn = TurnPayload.safeParse(result);
    if (turn.success && !completedTurns.has(turn.data.turn.id)) activeTurn = turn.data.turn.id;
  }

  const ready = (async (): Promise<boolean> => {
    const init = await rpc.request("initialize", {
      clientInfo: { name: "worker-factory", title: "Worker Factory", version: "0.1.0" },
      capabilities: { experimentalApi: true, requestAttestation: false },
    });
    if (!init.ok) throw new Error(`initialize: ${init.message}`);
    rpc.notify("initialized");
    const thread = await rpc.request("thread/start", {
      cwd: options.cwd,
      approvalPolicy: "never",
      sandbox: "danger-full-access",
      ephemeral: true,
    });
    if (!thread.ok) throw new Error(`thread/start: ${thread.message}`);
    threadId = ThreadStarted.parse(thread.result).thread.id;
    const turn = await rpc.request("turn/start", { threadId, input: textInput(options.prompt) });
    if (!turn.ok) throw new Error(`turn/start: ${turn.message}`);
    adoptTurn(turn.result);
    firstTurnStarted = true;
    logger.info("codex_session_started", { threadId, turnId: activeTurn });
    finishIfIdle();
    return true;
  })().catch((error: unknown) => {
    failure = `codex app-server: ${error instanceof Error ? error.message : String(error)}`;
    logger.warn("codex_session_failed", { failure });
    firstTurnStarted = true;
    agent.endInput();
    return false;
  });

  const done = agent.done.then((result): AgentResult => {
    rpc.close("the app-server exited");
    const judged =
      result.exit.kind === "exited" && failure !== undefined
        ? { ...result, exit: { ...result.exit, failure } }
        : result;
    return { ...judged, lastMessage };
  });

  const ended = (detail: string): Delivery => ({ delivered: false, why: "ended", detail });

  async function deliver(text: string): Promise<Delivery> {
    if (!(await ready) || threadId === null || !agent.inputOpen)
      return ended("the Codex session had already finished its last turn");
    inFlight++;
    try {
      if (activeTurn !== null) {
        const steered = await rpc.request("turn/steer", {
          threadId,
          expectedTurnId: activeTurn,
          input: textInput(text),
        });
        if (steered.ok) return { delivered: true, detail: "steered Codex's running turn (turn/steer)" };
        // The turn ended between our look and the steer ("no active turn to steer"): a new turn takes it.
        logger.info("codex_steer_missed_turn", { message: steered.message });
      }
      if (!agent.inputOpen) return ended("the Codex session had already finished its last turn");
      const started = await rpc.request("turn/start", { threadId, input: textInput(text) });
      if (!started.ok) return ended(`turn/start failed: ${started.message}`);
      adoptTurn(started.result);
      return { delivered: true, detail: "started a new turn of Codex's thread with it (turn/start)" };
    } finally {
      inFlight--;
      finishIfIdle();
    }
  }

  return {
    channel: "codex-app-server",
    done,
    deliver,
    async stop(mode, why) {
      if (mode === "kill" || threadId === null || activeTurn === null) {
        await agent.stop(mode, why);
        return done;
      }
      // Interrupt the turn; its turn/completed closes stdin and the app-server exits on its own.
      agent.expectStop(why);
      void rpc.request("turn/interrupt", { threadId, turnId: activeTurn });
      const timer = setTimeout(() => void agent.stop("kill", why), options.graceMs);
      try {
        return await done;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
