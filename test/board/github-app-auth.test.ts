import { generateKeyPairSync, verify } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/server.ts";
import type { RunningEmulator } from "../../emulator/server.ts";
import { BoardClient } from "../../worker/board/board-client.ts";
import { GitHubAppAuthError } from "../../worker/board/board-errors.ts";
import { AppTokenProvider, createAppJwt, privateKeyToPkcs8 } from "../../worker/board/github-app-auth.ts";
import { parseWorkspaceConfig } from "../../worker/config/workspace-config.ts";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PKCS1 = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const PKCS8 = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const NOW = Date.parse("2026-05-01T12:00:00Z");

function decode(jwt: string): { header: unknown; payload: unknown; valid: boolean } {
  const [header = "", payload = "", signature = ""] = jwt.split(".");
  const valid = verify(
    "sha256",
    Buffer.from(`${header}.${payload}`),
    publicKey,
    Buffer.from(signature, "base64url"),
  );
  const json = (part: string): unknown => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  return { header: json(header), payload: json(payload), valid };
}

describe("createAppJwt", () => {
  it.each([
    ["PKCS#8", PKCS8],
    ["PKCS#1", PKCS1],
  ])("signs an RS256 JWT from a %s key with iat 60 s back and exp within 10 min", async (_format, pem) => {
    const jwt = await createAppJwt(1234, pem, NOW);
    const { header, payload, valid } = decode(jwt);
    expect(valid).toBe(true);
    expect(header).toEqual({ alg: "RS256", typ: "JWT" });
    expect(payload).toEqual({ iss: "1234", iat: NOW / 1000 - 60, exp: NOW / 1000 + 540 });
  });

  it("wraps PKCS#1 into the same PKCS#8 bytes openssl would produce", () => {
    const expected = privateKey.export({ type: "pkcs8", format: "der" });
    expect(Buffer.from(privateKeyToPkcs8(PKCS1))).toEqual(expected);
  });

  it("accepts a key whose newlines were escaped in an environment variable", async () => {
    const jwt = await createAppJwt(1, PKCS1.replace(/\n/g, "\\n"), NOW);
    expect(decode(jwt).valid).toBe(true);
  });

  it("refuses text that is not a private key", async () => {
    await expect(createAppJwt(1, "not a key", NOW)).rejects.toBeInstanceOf(GitHubAppAuthError);
  });
});

describe("AppTokenProvider", () => {
  function tokenServer(expiresInMs: number) {
    const requests: Array<{ url: string; authorization: string | null }> = [];
    let clock = NOW;
    let minted = 0;
    const fetchStub: typeof fetch = async (input, init) => {
      requests.push({ url: String(input), authorization: new Headers(init?.headers).get("authorization") });
      minted += 1;
      const body = { token: `ghs_${minted}`, expires_at: new Date(clock + expiresInMs).toISOString() };
      return new Response(JSON.stringify(body), { status: 201 });
    };
    return {
      requests,
      advance: (ms: number) => {
        clock += ms;
      },
      provider: new AppTokenProvider({
        appId: 7,
        privateKey: PKCS1,
        installationId: 99,
        apiUrl: "https://ghe.example/api/v3/",
        fetch: fetchStub,
        now: () => clock,
      }),
    };
  }

  it("trades the JWT for an installation token at the installation endpoint", async () => {
    const server = tokenServer(3_600_000);
    expect(await server.provider.token()).toBe("ghs_1");
    expect(server.requests[0]?.url).toBe("https://ghe.example/api/v3/app/installations/99/access_tokens");
    const jwt = server.requests[0]?.authorization?.replace(/^Bearer /, "") ?? "";
    expect(decode(jwt)).toMatchObject({ valid: true, payload: { iss: "7" } });
  });

  it("reuses the token until five minutes before it expires", async () => {
    const server = tokenServer(3_600_000);
    await server.provider.token();
    server.advance(54 * 60_000);
    expect(await server.provider.token()).toBe("ghs_1");
    server.advance(60_001);
    expect(await server.provider.token()).toBe("ghs_2");
    expect(server.requests).toHaveLength(2);
  });

  it("mints once for concurrent callers", async () => {
    const server = tokenServer(3_600_000);
    const tokens = await Promise.all([server.provider.token(), server.provider.token()]);
    expect(tokens).toEqual(["ghs_1", "ghs_1"]);
    expect(server.requests).toHaveLength(1);
  });

  it("reports a refused installation with its status", async () => {
    const provider = new AppTokenProvider({
      appId: 7,
      privateKey: PKCS8,
      installationId: 1,
      apiUrl: "https://api.github.com",
      fetch: async () => new Response(JSON.stringify({ message: "Bad credentials" }), { status: 401 }),
    });
    await expect(provider.token()).rejects.toMatchObject({ name: "GitHubAppAuthError", status: 401 });
  });
});

describe("BoardClient with GitHub App credentials", () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ tokens: ["ghs_installation"] });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it("reads the board with the installation token", async () => {
    const seen: string[] = [];
    const fetchVia: typeof fetch = async (input, init) => {
      seen.push(String(input));
      if (String(input).endsWith("/access_tokens")) {
        return new Response(
          JSON.stringify({ token: "ghs_installation", expires_at: "2099-01-01T00:00:00Z" }),
          {
            status: 201,
          },
        );
      }
      return fetch(input, init);
    };
    const config = parseWorkspaceConfig({
      workspace: "w",
      project: { org: "phoenix-agentic", number: 1 },
      repos: [
        { name: "phoenix-agentic/Phoenix-Agentic-Engine", areas: [{ name: "core", paths: ["core/"] }] },
      ],
    });
    const board = new BoardClient({
      config,
      auth: { appId: 7, privateKey: PKCS1, installationId: 5 },
      apiUrl: emulator.url,
      fetch: fetchVia,
    });
    expect(await board.projectId()).toMatch(/^PVT_/);
    expect(seen).toEqual([`${emulator.url}/app/installations/5/access_tokens`, `${emulator.url}/graphql`]);
  });
});
