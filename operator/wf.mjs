#!/usr/bin/env node
// wf's launcher, the package's `bin`: runs operator/cli.ts on a Node that strips TypeScript
// types — this one when it can, else the Node 24 that `npm install` brings (the `node`
// devDependency) — so `npx wf` works whatever Node is first on the PATH.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
const bundled = fileURLToPath(new URL("../node_modules/node/bin/node", import.meta.url));
const node = process.features.typescript ? process.execPath : existsSync(bundled) ? bundled : null;
if (node === null) {
  process.stderr.write("wf needs Node 22.18 or later, or `npm install` in the project (it brings Node 24)\n");
  process.exit(1);
}
const child = spawnSync(node, [cli, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(child.status ?? 1);
