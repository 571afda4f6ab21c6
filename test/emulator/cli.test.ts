import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { at, graphql } from "./support.ts";

const Listening = z.object({ event: z.literal("listening"), url: z.url() });

describe("emulator CLI", () => {
  it("prints its URL on stdout when ready and serves the Phoenix board", async () => {
    const child = spawn(process.execPath, ["emulator/main.ts", "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      const lines = createInterface({ input: child.stdout });
      const first = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("emulator did not start")), 20_000);
        lines.once("line", (line) => {
          clearTimeout(timer);
          resolve(line);
        });
      });
      const { url } = Listening.parse(JSON.parse(first));
      const reply = await graphql(
        url,
        `
          {
            organization(login: "phoenix-agentic") {
              projectV2(number: 1) {
                number
                title
              }
            }
          }
        `,
      );
      expect(at(reply.body.data, "organization", "projectV2", "number")).toBe(1);
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  });
});
