/**
 * Builds the dashboard's static assets into dashboard/dist (the `[assets]` folder of
 * wrangler.toml): the page's TypeScript bundled with esbuild, its HTML, CSS and headers
 * copied. wrangler runs it before `dev` and `deploy` ([build]); the workerd tests' global
 * set-up calls `buildDashboard`. A file is rewritten only when its content changed, and
 * atomically, so several `wrangler dev` starting at once never serve half a file.
 */
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = path.join(ROOT, "dashboard");
export const DASHBOARD_DIST = path.join(SOURCE, "dist");

async function writeIfChanged(file: string, content: Uint8Array): Promise<boolean> {
  const current = await readFile(file).catch(() => null);
  if (current !== null && Buffer.compare(current, content) === 0) return false;
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, file);
  return true;
}

/** Builds the assets; returns the files it (re)wrote, relative to dashboard/dist. */
export async function buildDashboard(): Promise<string[]> {
  await mkdir(DASHBOARD_DIST, { recursive: true });
  const bundle = await build({
    entryPoints: [path.join(SOURCE, "src", "main.tsx")],
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    jsx: "automatic",
    jsxImportSource: "preact",
    outfile: path.join(DASHBOARD_DIST, "app.js"),
    write: false,
    logLevel: "warning",
  });
  const outputs: { name: string; content: Uint8Array }[] = bundle.outputFiles.map((file) => ({
    name: path.relative(DASHBOARD_DIST, file.path),
    content: file.contents,
  }));
  for (const name of await readdir(path.join(SOURCE, "static"))) {
    outputs.push({ name, content: await readFile(path.join(SOURCE, "static", name)) });
  }
  const written: string[] = [];
  for (const output of outputs) {
    if (await writeIfChanged(path.join(DASHBOARD_DIST, output.name), output.content))
      written.push(output.name);
  }
  return written;
}

if (import.meta.main) {
  const written = await buildDashboard();
  console.log(`dashboard: ${written.length === 0 ? "up to date" : `wrote ${written.join(", ")}`}`);
}
