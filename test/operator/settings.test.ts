import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolveSettings } from "../../operator/settings.ts";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function settingsFile(content: string): NodeJS.ProcessEnv {
  dir = mkdtempSync(path.join(tmpdir(), "wf-settings-"));
  mkdirSync(path.join(dir, "worker-factory"));
  writeFileSync(path.join(dir, "worker-factory", "wf.json"), content);
  return { XDG_CONFIG_HOME: dir };
}

describe("where wf finds the Worker and its admin token", () => {
  it("takes flags over the environment over the settings file", () => {
    const env = settingsFile('{"url": "http://file.test/", "token": "from-file"}');
    expect(resolveSettings({}, env)).toEqual({ url: "http://file.test", token: "from-file" });
    const withEnv = { ...env, WORKER_FACTORY_URL: "http://env.test", WORKER_FACTORY_ADMIN_TOKEN: "from-env" };
    expect(resolveSettings({}, withEnv)).toEqual({ url: "http://env.test", token: "from-env" });
    expect(resolveSettings({ url: "https://flag.test", token: "from-flag" }, withEnv)).toEqual({
      url: "https://flag.test",
      token: "from-flag",
    });
  });

  it("names the bad key of the settings file, and what is missing", () => {
    const env = settingsFile('{"url": "http://file.test", "adminToken": "x"}');
    expect(() => resolveSettings({}, env)).toThrow(/wf\.json: \(file\): unknown key\(s\) adminToken/);
    const empty = settingsFile("{}");
    expect(() => resolveSettings({}, empty)).toThrow(
      /^no Worker URL: pass --url, set WORKER_FACTORY_URL, or put "url" in .*wf\.json$/,
    );
    expect(() => resolveSettings({ url: "ftp://x", token: "t" }, empty)).toThrow(
      /expected the Worker's http\(s\) URL/,
    );
  });
});
