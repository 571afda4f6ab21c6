/**
 * Starts the local GitHub emulator (sample board) before the workerd tests, on a free port,
 * and hands its URL to the Worker's bindings: the Worker's board client talks to it.
 */
import type { TestProject } from "vitest/node";
import { startEmulator } from "../../../emulator/server.ts";
import "./provided-context.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = await startEmulator({ port: 0 });
  project.provide("emulatorUrl", emulator.url);
  return () => emulator.close();
}
