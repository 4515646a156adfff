export type LogFields = Record<string, unknown>;

/** The logging seam. Pass your own (pino, console …) as `new Celeriac({ logger })`. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LEVELS)[number];

/** Writes lines at or above `level` to stderr. The default level comes from `CELERIAC_LOG` (default `warn`). */
export function consoleLogger(level: LogLevel = (process.env.CELERIAC_LOG as LogLevel | undefined) ?? 'warn'): Logger {
  const min = Math.max(0, LEVELS.indexOf(level));
  const at = (lvl: LogLevel) =>
    LEVELS.indexOf(lvl) < min
      ? () => {}
      : (message: string, fields?: LogFields) => console.error(`[celeriac] ${lvl} ${message}${fields ? ` ${safeJson(fields)}` : ''}`);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A logger that adds fixed fields (task id, name …) to every line. */
export function childLogger(parent: Logger, bound: LogFields): Logger {
  const wrap = (fn: Logger['info']) => (message: string, fields?: LogFields) => fn(message, { ...bound, ...fields });
  return { debug: wrap(parent.debug), info: wrap(parent.info), warn: wrap(parent.warn), error: wrap(parent.error) };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
