// Two test projects: the Worker and its Durable Objects inside workerd, and the Node side
// (daemon, emulator, end-to-end runs that start real processes).
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                GITHUB_WEBHOOK_SECRET: "test-webhook-secret",
                ADMIN_TOKEN: "test-admin-token",
                AGENT_TOKEN_KEY: "test-agent-key",
                GITHUB_TOKEN: "test-github-token",
                // The local GitHub emulator, started by the global setup on a free port.
                GITHUB_API_URL: inject("emulatorUrl"),
              },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          globalSetup: ["test/worker/support/global-setup.ts"],
        },
      },
      {
        test: {
          name: "node",
          include: [
            "test/local-agent/**/*.test.ts",
            "test/operator/**/*.test.ts",
            "test/emulator/**/*.test.ts",
            "test/board/**/*.test.ts",
            "test/e2e/**/*.test.ts",
          ],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
