/**
 * The emulator's structured logger: one JSON line per event. The CLI writes to stderr
 * (stdout carries only the "listening" line); tests pass `silentLogger`.
 */
export type Logger = (event: string, fields?: Record<string, unknown>) => void;

export const silentLogger: Logger = () => {};

export function jsonLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  return (event, fields = {}) => {
    write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
  };
}
