/**
 * Persists the store to a JSON file (`--state`) so a board survives restarts: read and
 * validated with zod at start-up, rewritten after changes (coalesced to one write per
 * tick, atomically via a temporary file). Used by `startEmulator`.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { EmulatorStore } from "./emulator-store.ts";
import { EmulatorState } from "./state-schema.ts";

export function readStateFile(path: string): EmulatorState | null {
  if (!existsSync(path)) return null;
  const parsed = EmulatorState.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) {
    throw new Error(
      `State file ${path} is not valid emulator state: ${parsed.error.issues[0]?.message ?? ""}`,
    );
  }
  return parsed.data;
}

export function writeStateFile(path: string, state: EmulatorState): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(state));
  renameSync(temporary, path);
}

/** Keeps `path` in step with the store; returns a function that flushes and stops. */
export function persistStore(store: EmulatorStore, path: string): () => void {
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    writeStateFile(path, store.state);
  };
  const unsubscribe = store.subscribe(() => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  });
  writeStateFile(path, store.state);
  return () => {
    unsubscribe();
    if (scheduled) flush();
  };
}
