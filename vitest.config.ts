// Three test projects: the Worker and its Durable Objects inside workerd (twice: the tests
// that only read the sample board, and the scenarios whose agents claim items on it, each
// with an emulator of its own), and the Node side (daemon, emulator, end-to-end runs).
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

function workerProject(name: string, include: string[]): TestProjectInlineConfiguration {
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            GITHUB_WEBHOOK_SECRET: "test-webhook-secret",
            ADMIN_TOKEN: "test-admin-token",
            AGENT_TOKEN_KEY: "test-agent-key",
            GITHUB_TOKEN: "test-github-token",
            // The local GitHub emulator, started by the project's global setup on a free port.
            GITHUB_API_URL: inject("emulatorUrl"),
          },
        },
      })),
    ],
    test: { name, include, globalSetup: ["test/worker/support/global-setup.ts"] },
  };
}

export default defineConfig({
  test: {
    projects: [
      workerProject("worker", ["test/worker/**/*.test.ts"]),
      // Agents here claim board items: a board of their own keeps those claims from the others.
      workerProject("worker-scenarios", ["test/worker-scenarios/**/*.test.ts"]),
      {
        test: {
          name: "node",
          include: [
            "test/local-agent/**/*.test.ts",
            "test/operator/**/*.test.ts",
            "test/emulator/**/*.test.ts",
            "test/board/**/*.test.ts",
            "test/e2e/**/*.test.ts",
            "test/sim/**/*.test.ts",
          ],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
