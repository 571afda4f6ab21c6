/**
 * The board client's failures: small Error subclasses with readonly context. Expected
 * outcomes (a lost claim, an unknown dependency) are results, not these.
 */

/** GitHub answered with an error that is not a rate limit, or could not be reached. */
export class BoardRequestError extends Error {
  override readonly name = "BoardRequestError";
  readonly operation: string;
  readonly status: number | null;
  constructor(operation: string, message: string, status: number | null, options?: { cause?: unknown }) {
    super(`${operation}: ${message}`, options);
    this.operation = operation;
    this.status = status;
  }
}

/** GitHub's answer did not have the shape the document asked for. */
export class BoardResponseError extends Error {
  override readonly name = "BoardResponseError";
  readonly operation: string;
  readonly problems: readonly string[];
  constructor(operation: string, problems: readonly string[]) {
    super(`${operation}: unexpected response (${problems.join("; ")})`);
    this.operation = operation;
    this.problems = problems;
  }
}

/** The project lacks a configured field or single-select option, or does not exist. */
export class BoardSchemaError extends Error {
  override readonly name = "BoardSchemaError";
  readonly field: string;
  readonly option: string | null;
  constructor(message: string, field: string, option: string | null = null) {
    super(message);
    this.field = field;
    this.option = option;
  }
}

/** Still rate limited after the allowed attempts, or told to wait longer than we may. */
export class RateLimitedError extends Error {
  override readonly name = "RateLimitedError";
  readonly operation: string;
  readonly attempts: number;
  /** When GitHub said the limit lifts (epoch ms), if it said. */
  readonly retryAt: number | null;
  constructor(operation: string, attempts: number, retryAt: number | null, options?: { cause?: unknown }) {
    super(
      `${operation}: rate limited after ${attempts} attempt(s)` +
        (retryAt === null ? "" : `; retry after ${new Date(retryAt).toISOString()}`),
      options,
    );
    this.operation = operation;
    this.attempts = attempts;
    this.retryAt = retryAt;
  }
}

/** GitHub App credentials were refused or malformed. */
export class GitHubAppAuthError extends Error {
  override readonly name = "GitHubAppAuthError";
  readonly status: number | null;
  constructor(message: string, status: number | null = null, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}
