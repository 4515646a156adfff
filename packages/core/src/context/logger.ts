export type LogFields = Record<string, unknown>;

/**
 * The logging seam: `(message, fields)`. Pass your own as `new Celeriac({ logger })`; a pino logger
 * (Fastify's `app.log` included), which takes its fields first, is adapted as it is (`asLogger`).
 */
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

/** What pino's loggers look like: fields first, then the message. */
interface PinoLike {
  debug(fields: LogFields, message?: string): void;
  info(fields: LogFields, message?: string): void;
  warn(fields: LogFields, message?: string): void;
  error(fields: LogFields, message?: string): void;
  child(bindings: LogFields): unknown;
  bindings(): LogFields;
}

function isPino(logger: object): logger is PinoLike {
  const l = logger as Partial<PinoLike>;
  return typeof l.child === 'function' && typeof l.bindings === 'function';
}

/**
 * The logger to use for what was given: ours as it is, a pino logger adapted so its fields arrive
 * as fields (pino reads a second string argument as a format value and would drop them).
 */
export function asLogger(logger: Logger): Logger {
  if (!isPino(logger)) return logger;
  const at = (fn: PinoLike['info']) => (message: string, fields?: LogFields) => (fields === undefined ? fn.call(logger, {}, message) : fn.call(logger, fields, message));
  return { debug: at(logger.debug), info: at(logger.info), warn: at(logger.warn), error: at(logger.error) };
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
