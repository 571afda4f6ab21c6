/**
 * The post-receive hook the emulator installs in a linked bare repository, so a `git push`
 * into it (the local-agent daemon's) reaches the emulator the way a push reaches GitHub: the
 * hook posts the ref updates to `/_emulator/git/pushed`, and the emulator sends `push`,
 * `create`, `delete` and `synchronize`. Plain `node -e`, so any Node version runs it.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const SCRIPT = `
const [url, repo] = process.argv.slice(1);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const updates = input.trim().split("\\n").filter(Boolean).map((line) => {
    const [before, after, ref] = line.split(" ");
    return { before, after, ref };
  });
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ repo, updates, pusher: process.env.EMULATOR_PUSHER || undefined }),
    });
    if (!response.ok) console.error("emulator refused the push report: " + response.status);
  } catch (error) {
    console.error("emulator not told of the push: " + error.message);
  }
});
`;

export function installPushHook(gitDir: string, emulatorUrl: string, repo: string): string {
  const hooks = join(gitDir, "hooks");
  mkdirSync(hooks, { recursive: true });
  const path = join(hooks, "post-receive");
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const body = [
    "#!/bin/sh",
    "# Installed by the Worker Factory GitHub emulator: tells it of pushes, as GitHub learns of them.",
    `exec ${quote(process.execPath)} -e ${quote(SCRIPT)} ${quote(`${emulatorUrl}/_emulator/git/pushed`)} ${quote(repo)}`,
    "",
  ].join("\n");
  writeFileSync(path, body);
  chmodSync(path, 0o755);
  return path;
}
