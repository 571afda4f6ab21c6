/**
 * The page's way to the operator API: the admin token as a bearer header, every answer parsed
 * with its schema, every failure one of three kinds the page can put in words — the token was
 * refused, the Worker refused with a message (a 503 for an invalid config, a 409 for an action
 * that does not fit), or the Worker could not be reached at all.
 */
import type { ZodMiniType } from "zod/mini";
import { ErrorBody } from "./api-schema.ts";

export type ApiFailure =
  | { kind: "unauthorized"; message: string }
  | { kind: "refused"; status: number; message: string }
  | { kind: "unreachable"; message: string };

export class ApiError extends Error {
  readonly failure: ApiFailure;

  constructor(failure: ApiFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

const TIMEOUT_MS = 20_000;

export class ApiClient {
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  get<T>(path: string, schema: ZodMiniType<T>): Promise<T> {
    return this.#request("GET", path, undefined, schema);
  }

  post<T>(path: string, body: unknown, schema: ZodMiniType<T>): Promise<T> {
    return this.#request("POST", path, body, schema);
  }

  async #request<T>(method: string, path: string, body: unknown, schema: ZodMiniType<T>): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new ApiError({
        kind: "unreachable",
        message: `the Worker did not answer (${error instanceof Error ? error.message : String(error)})`,
      });
    }
    const json: unknown = await response.json().catch(() => null);
    if (response.status === 401) {
      throw new ApiError({ kind: "unauthorized", message: "The admin token was refused." });
    }
    if (!response.ok) {
      const error = ErrorBody.safeParse(json);
      const message = error.success ? error.data.error : `${response.status} ${response.statusText}`;
      throw new ApiError({ kind: "refused", status: response.status, message });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.map(String).join(".")}: ${issue.message}` : "unexpected shape";
      throw new ApiError({
        kind: "refused",
        status: response.status,
        message: `the Worker's answer to ${path} was not understood (${where})`,
      });
    }
    return parsed.data;
  }
}
