/**
 * The daemon's structured logger: one line per event, readable text by default
 * (`09:12:01 INFO  dispatch_accepted runId=… issue=21`) or JSON lines for services
 * (`--log-format json`). Every module takes a `Logger` as an argument; the CLI makes one that
 * writes to stderr, tests make one that records.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. `{ runId }`). */
  child(fields: LogFields): Logger;
}

export interface LogRecord extends LogFields {
  ts: string;
  level: LogLevel;
  event: string;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Builds a logger over any sink; `minLevel` drops quieter events. */
export function createLogger(
  sink: (record: LogRecord) => void,
  options: { minLevel?: LogLevel; base?: LogFields } = {},
): Logger {
  const min = ORDER[options.minLevel ?? "info"];
  const base = options.base ?? {};
  const write = (level: LogLevel, event: string, fields?: LogFields): void => {
    if (ORDER[level] < min) return;
    sink({ ts: new Date().toISOString(), level, event, ...base, ...fields });
  };
  return {
    debug: (event, fields) => write("debug", event, fields),
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
    child: (fields) =>
      createLogger(sink, { minLevel: options.minLevel ?? "info", base: { ...base, ...fields } }),
  };
}

/** One JSON line per event on a writable stream (stderr by default). */
export function createJsonLogger(
  stream: { write(chunk: string): unknown } = process.stderr,
  minLevel: LogLevel = "info",
): Logger {
  return createLogger((record) => stream.write(`${safeStringify(record)}\n`), { minLevel });
}

/** Readable for a person at a terminal: time, level, event, then key=value fields. */
export function createTextLogger(
  stream: { write(chunk: string): unknown } = process.stderr,
  minLevel: LogLevel = "info",
): Logger {
  return createLogger((record) => stream.write(`${formatText(record)}\n`), { minLevel });
}

export function formatText(record: LogRecord): string {
  const { ts, level, event, ...fields } = record;
  const time = ts.slice(11, 19);
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${textValue(value)}`);
  return [time, level.toUpperCase().padEnd(5), event, ...parts].join(" ");
}

function textValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === "bigint") return value.toString();
  return JSON.stringify(value) ?? String(value);
}

/** Drops everything; for callers that do not care. */
export const silentLogger: Logger = createLogger(() => undefined, { minLevel: "error" });

function safeStringify(record: LogRecord): string {
  return JSON.stringify(record, (_key, value: unknown) => {
    if (value instanceof Error) return { name: value.name, message: value.message };
    if (typeof value === "bigint") return value.toString();
    return value;
  });
}
