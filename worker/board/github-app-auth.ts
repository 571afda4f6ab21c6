/**
 * GitHub App authentication with WebCrypto (Workers and Node alike): an RS256 JWT signed
 * with the App's private key (PKCS#8, or GitHub's PKCS#1 wrapped into PKCS#8 here), traded
 * for an installation token that is cached until five minutes before it expires.
 * Used by the board client when it is given App credentials instead of a token.
 */
import { z } from "zod";
import { GitHubAppAuthError } from "./board-errors.ts";

export type GitHubAppCredentials = {
  appId: string | number;
  /** PEM: `BEGIN PRIVATE KEY` (PKCS#8) or `BEGIN RSA PRIVATE KEY` (PKCS#1). */
  privateKey: string;
  installationId: string | number;
};

export type AppAuthOptions = GitHubAppCredentials & {
  /** REST base: `https://api.github.com`, `https://ghe.example/api/v3`, or the emulator. */
  apiUrl: string;
  fetch: typeof fetch;
  now?: () => number;
};

const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
const RSA_ENCRYPTION_ALGORITHM = [
  0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

const InstallationToken = z.object({ token: z.string().min(1), expires_at: z.string() });

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return [0x80 | bytes.length, ...bytes];
}

function derNode(tag: number, content: Uint8Array | readonly number[]): Uint8Array {
  const body = Uint8Array.from(content);
  return Uint8Array.from([tag, ...derLength(body.length), ...body]);
}

/** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption). */
export function pkcs1ToPkcs8(pkcs1: Uint8Array): Uint8Array {
  const version = [0x02, 0x01, 0x00];
  const octets = derNode(0x04, pkcs1);
  return derNode(0x30, [...version, ...RSA_ENCRYPTION_ALGORITHM, ...octets]);
}

/** The PKCS#8 DER bytes of a PEM private key in either format. */
export function privateKeyToPkcs8(pem: string): Uint8Array {
  const match = /-----BEGIN ((?:RSA )?PRIVATE KEY)-----([\s\S]+?)-----END \1-----/.exec(
    pem.replace(/\\n/g, "\n"),
  );
  if (match === null) {
    throw new GitHubAppAuthError(
      "private key is not a PEM 'PRIVATE KEY' or 'RSA PRIVATE KEY' (encrypted keys are not supported)",
    );
  }
  const der = Uint8Array.from(atob((match[2] ?? "").replace(/\s+/g, "")), (char) => char.charCodeAt(0));
  return match[1] === "RSA PRIVATE KEY" ? pkcs1ToPkcs8(der) : der;
}

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const encodeJson = (value: unknown): string => base64url(new TextEncoder().encode(JSON.stringify(value)));

/** An App JWT: `iat` 60 s in the past (clock drift), `exp` nine minutes ahead (GitHub allows ten). */
export async function createAppJwt(
  appId: string | number,
  privateKey: string,
  nowMs: number,
): Promise<string> {
  const der = privateKeyToPkcs8(privateKey);
  const key = await crypto.subtle
    .importKey("pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"])
    .catch((error: unknown) => {
      throw new GitHubAppAuthError("private key could not be imported", null, { cause: error });
    });
  const now = Math.floor(nowMs / 1000);
  const signingInput = `${encodeJson({ alg: "RS256", typ: "JWT" })}.${encodeJson({ iat: now - 60, exp: now + 540, iss: String(appId) })}`;
  const signature = await crypto.subtle.sign(
    "RSASSA-PKCS1-v1_5",
    key,
    new TextEncoder().encode(signingInput),
  );
  return `${signingInput}.${base64url(new Uint8Array(signature))}`;
}

/** Hands out an installation token, minting a new one only when the cached one nears expiry. */
export class AppTokenProvider {
  readonly #options: AppAuthOptions;
  readonly #now: () => number;
  #cached: { token: string; refreshAt: number } | null = null;
  #pending: Promise<string> | null = null;

  constructor(options: AppAuthOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async token(): Promise<string> {
    if (this.#cached !== null && this.#now() < this.#cached.refreshAt) return this.#cached.token;
    this.#pending ??= this.#mint().finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  async #mint(): Promise<string> {
    const { appId, privateKey, installationId, apiUrl } = this.#options;
    const jwt = await createAppJwt(appId, privateKey, this.#now());
    const url = `${apiUrl.replace(/\/+$/, "")}/app/installations/${encodeURIComponent(String(installationId))}/access_tokens`;
    const response = await this.#options.fetch(url, {
      method: "POST",
      headers: {
        accept: "application/vnd.github+json",
        authorization: `Bearer ${jwt}`,
        "user-agent": "worker-factory",
        "x-github-api-version": "2022-11-28",
      },
    });
    if (response.status !== 201 && response.status !== 200) {
      throw new GitHubAppAuthError(
        `installation token request failed with ${response.status}`,
        response.status,
      );
    }
    const parsed = InstallationToken.safeParse(await response.json());
    const expires = parsed.success ? Date.parse(parsed.data.expires_at) : Number.NaN;
    if (!parsed.success || !Number.isFinite(expires)) {
      throw new GitHubAppAuthError("installation token response has no token or expires_at", response.status);
    }
    this.#cached = { token: parsed.data.token, refreshAt: expires - TOKEN_REFRESH_MARGIN_MS };
    return parsed.data.token;
  }
}
