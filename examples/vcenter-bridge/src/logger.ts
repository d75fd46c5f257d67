/** The bridge's logging seam: structured, levelled, never given secrets. */

/** Fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** A structured logger. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;

/** Plain description of an error for a log line (message, code; no stack for known errors). */
export function describeError(error: unknown): LogFields {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { error: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { error: String(error) };
}

/** A logger writing JSON lines to `write` (default: stdout). */
export function createJsonLogger(
  level: keyof typeof LEVELS,
  write: (line: string) => void = (l) => process.stdout.write(l),
): Logger {
  const min = LEVELS[level];
  const log = (lvl: keyof typeof LEVELS) => (message: string, fields?: LogFields) => {
    if (LEVELS[lvl] < min) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg: message, ...fields })}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
