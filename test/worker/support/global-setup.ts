/**
 * Starts the local GitHub emulator (sample board) before the workerd tests, on a free port,
 * and hands its URL to the Worker's bindings: the Worker's board client talks to it. Also a
 * notification receiver on loopback, for the tests of outgoing notifications; builds the
 * dashboard's static assets, which the Worker serves.
 */
import type { TestProject } from "vitest/node";
import { buildDashboard } from "../../../scripts/build-dashboard.ts";
import { startEmulator } from "../../../emulator/server.ts";
import { startNotificationSink } from "../../support/notification-sink.ts";
import "./provided-context.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The Worker serves the dashboard's built assets (wrangler.toml [assets]).
  await buildDashboard();
  const emulator = await startEmulator({ port: 0 });
  const sink = await startNotificationSink();
  project.provide("emulatorUrl", emulator.url);
  project.provide("notificationSinkUrl", sink.url);
  return async () => {
    await sink.close();
    await emulator.close();
  };
}
