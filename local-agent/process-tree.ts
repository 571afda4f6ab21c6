/**
 * Finds and kills every process of a run through /proc (Linux): the agent's descendants and
 * any process carrying the run's marker env var (Codex runs commands in sessions of their
 * own, and orphans leave the tree). Freeze all with SIGSTOP first so nothing forks meanwhile,
 * then SIGKILL all, then check that none survives. Used by run-agent.ts and daemon.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";

interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
}

function readStat(pid: number): ProcInfo | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces or parentheses itself.
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const state = rest[0] ?? "?";
    const ppid = Number(rest[1]);
    return { pid, ppid, state };
  } catch {
    return null;
  }
}

function listProcesses(): ProcInfo[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: ProcInfo[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const info = readStat(Number(name));
    if (info !== null) out.push(info);
  }
  return out;
}

function hasMarker(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(marker);
  } catch {
    return false;
  }
}

/** Live (non-zombie) processes of a run: descendants of `rootPid` plus those with `marker` in their env. */
export function runProcesses(rootPid: number | undefined, marker: string): number[] {
  const all = listProcesses().filter((p) => p.state !== "Z" && p.state !== "X" && p.pid !== process.pid);
  const children = new Map<number, number[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const found = new Set<number>();
  const alive = new Set(all.map((p) => p.pid));
  if (rootPid !== undefined && alive.has(rootPid)) {
    const stack = [rootPid];
    while (stack.length > 0) {
      const pid = stack.pop() as number;
      if (found.has(pid)) continue;
      found.add(pid);
      stack.push(...(children.get(pid) ?? []));
    }
  }
  for (const p of all) if (!found.has(p.pid) && hasMarker(p.pid, marker)) found.add(p.pid);
  return [...found];
}

export function isAlive(pid: number): boolean {
  const info = readStat(pid);
  return info !== null && info.state !== "Z" && info.state !== "X";
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

export type KillTreeResult =
  { ok: true; killed: number[] } | { ok: false; killed: number[]; survivors: number[] };

/**
 * Stops a run's whole process tree: SIGSTOP until the set stops growing, SIGKILL all, then
 * waits up to `timeoutMs` for every one to be gone.
 */
export async function killTree(
  rootPid: number | undefined,
  marker: string,
  timeoutMs = 5000,
): Promise<KillTreeResult> {
  const frozen = new Set<number>();
  for (let round = 0; round < 20; round++) {
    const fresh = runProcesses(rootPid, marker).filter((pid) => !frozen.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      signal(pid, "SIGSTOP");
      frozen.add(pid);
    }
  }
  for (const pid of frozen) signal(pid, "SIGKILL");
  const deadline = Date.now() + timeoutMs;
  let survivors = [...frozen].filter(isAlive);
  while (survivors.length > 0 && Date.now() < deadline) {
    // Polling /proc: the kernel gives no event for a non-child's death.
    await delay(20);
    for (const pid of runProcesses(rootPid, marker)) if (!frozen.has(pid)) signal(pid, "SIGKILL");
    survivors = [...frozen].filter(isAlive);
  }
  survivors = [...new Set([...survivors, ...runProcesses(undefined, marker)])];
  return survivors.length === 0
    ? { ok: true, killed: [...frozen] }
    : { ok: false, killed: [...frozen], survivors };
}
