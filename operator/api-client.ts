/**
 * `wf`'s client of the operator API (`/api/*`): one request, the admin token, a timeout, the
 * answer checked with zod, and an `ApiError` carrying the status and the server's
 * `{ "error": ... }` message when it refuses. Used by commands.ts.
 */
import { z } from "zod";
import type { Settings } from "./settings.ts";

export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number | null;
  constructor(message: string, status: number | null) {
    super(message);
    this.status = status;
  }
}

const ErrorBody = z.object({ error: z.string() });
const TIMEOUT_MS = 30_000;

export class ApiClient {
  readonly #settings: Settings;

  constructor(settings: Settings) {
    this.#settings = settings;
  }

  get url(): string {
    return this.#settings.url;
  }

  async get<T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> {
    return this.#request("GET", path, undefined, schema);
  }

  async post<T extends z.ZodType>(path: string, body: unknown, schema: T): Promise<z.infer<T>> {
    return this.#request("POST", path, body, schema);
  }

  async #request<T extends z.ZodType>(
    method: string,
    path: string,
    body: unknown,
    schema: T,
  ): Promise<z.infer<T>> {
    const url = `${this.#settings.url}/api/${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.#settings.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
      const why = error instanceof Error ? error.message : String(error);
      throw new ApiError(`cannot reach the Worker at ${this.#settings.url}: ${cause || why}`, null);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(
        `${method} ${url} answered ${response.status} with something that is not JSON: ${text.slice(0, 120)}`,
        response.status,
      );
    }
    if (!response.ok) {
      const refused = ErrorBody.safeParse(json);
      const message = refused.success ? refused.data.error : text.slice(0, 200);
      throw new ApiError(message, response.status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError(
        `unexpected answer from ${method} /api/${path}: ${issue?.path.join(".") || "body"}: ${issue?.message} (is the Worker the same version as wf?)`,
        response.status,
      );
    }
    return parsed.data;
  }
}
