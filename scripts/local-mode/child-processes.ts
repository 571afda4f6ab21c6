/**
 * The child processes of local mode (emulator, wrangler, demo agents): line-by-line output,
 * waiting for a ready line (or failing on an error line or an early exit), stopping with
 * SIGTERM then SIGKILL, and a free port. Used by scripts/dev.ts and demo-agents.ts.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { createInterface } from "node:readline";

export function lines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on("line", onLine);
  }
}

export class ChildFailedError extends Error {
  override readonly name = "ChildFailedError";
}

/**
 * Resolves with the first capture of `ready` printed by the child; rejects with the output so
 * far when it exits first, or at once when it prints a line matching `failed` (wrangler keeps
 * running after a build error, with a port that never answers).
 */
export function waitFor(
  child: ChildProcess,
  patterns: { ready: RegExp; failed?: RegExp },
  echo: (line: string) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const recent: string[] = [];
    lines(child, (line) => {
      echo(line);
      recent.push(line);
      if (recent.length > 30) recent.shift();
      if (settled) return;
      const match = patterns.ready.exec(line);
      if (match) {
        settled = true;
        resolve(match[1] ?? line);
      } else if (patterns.failed?.test(line)) {
        settled = true;
        // The error's own lines follow it; give them a moment to arrive.
        setTimeout(() => reject(new ChildFailedError(recent.join("\n"))), 300);
      }
    });
    child.once("exit", (code) => {
      if (settled) return;
      settled = true;
      reject(
        new ChildFailedError(
          `${child.spawnfile} exited with ${code} before it was ready:\n${recent.join("\n")}`,
        ),
      );
    });
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await once(child, "exit");
  clearTimeout(timer);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}
