import { InvalidOptionError } from '../errors/invalid-option-error.js';

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

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/** A level of `consoleLogger` (and `CELERIAC_LOG`): lines below it are not written; `silent` writes none. */
export type LogLevel = (typeof LEVELS)[number];

/** How to tell whether a logger writes a level, for loggers that say (ours, pino's). */
const levelChecks = new WeakMap<Logger, (level: LogLevel) => boolean>();

/**
 * The level of `CELERIAC_LOG` (`debug`, `info`, `warn`, `error` or `silent`, any case), `warn`
 * when unset. Anything else is refused, naming the variable: a typo must not silence the logs.
 */
export function envLogLevel(value = process.env.CELERIAC_LOG): LogLevel {
  if (value === undefined || value === '') return 'warn';
  const level = value.trim().toLowerCase();
  if (!(LEVELS as readonly string[]).includes(level)) {
    throw new InvalidOptionError('the environment', 'CELERIAC_LOG', `must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return level as LogLevel;
}

/** Writes lines at or above `level` to stderr. The default level comes from `CELERIAC_LOG` (default `warn`). */
export function consoleLogger(level: LogLevel = envLogLevel()): Logger {
  if (!LEVELS.includes(level)) throw new InvalidOptionError('consoleLogger()', 'level', `must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  const min = LEVELS.indexOf(level);
  const at = (lvl: LogLevel) =>
    LEVELS.indexOf(lvl) < min
      ? () => {}
      : (message: string, fields?: LogFields) => console.error(`[celeriac] ${lvl} ${message}${fields ? ` ${safeJson(fields)}` : ''}`);
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  levelChecks.set(logger, (lvl) => LEVELS.indexOf(lvl) >= min);
  return logger;
}

/**
 * Whether `logger` writes lines at `level`: known for ours and for pino's (`isLevelEnabled`),
 * assumed for any other. Per-task lines are only produced for a logger that writes them.
 */
export function logsAt(logger: Logger, level: Exclude<LogLevel, 'silent'>): boolean {
  const check = levelChecks.get(logger);
  return check === undefined ? true : check(level);
}

/** What pino's loggers look like: fields first, then the message. */
interface PinoLike {
  debug(fields: LogFields, message?: string): void;
  info(fields: LogFields, message?: string): void;
  warn(fields: LogFields, message?: string): void;
  error(fields: LogFields, message?: string): void;
  child(bindings: LogFields): unknown;
  bindings(): LogFields;
  isLevelEnabled?(level: string): boolean;
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
  const adapted: Logger = { debug: at(logger.debug), info: at(logger.info), warn: at(logger.warn), error: at(logger.error) };
  if (typeof logger.isLevelEnabled === 'function') levelChecks.set(adapted, (level) => logger.isLevelEnabled?.(level) ?? true);
  return adapted;
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
