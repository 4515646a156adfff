import type { Broker } from '../contracts/broker.js';
import type { ResultBackend } from '../contracts/result-backend.js';
import type { Logger } from '../context/logger.js';
import { optionChecker, show } from '../options/task-options.js';

export interface CeleriacOptions {
  /** Where tasks wait. @defaultValue an in-memory broker from `@celeriac/memory` */
  broker?: Broker;
  /** Where task states live. @defaultValue an in-memory backend from `@celeriac/memory` */
  backend?: ResultBackend;
  /**
   * Run tasks in-process inside `delay()`/`applyAsync()`: the result is ready when they resolve.
   * For app tests; countdowns are ignored and retries run at once. @defaultValue `false`
   */
  eager?: boolean;
  /** @defaultValue a console logger at the level of `CELERIAC_LOG` (default `warn`) */
  logger?: Logger;
  /** Makes task ids. @defaultValue a random (version 4) UUID */
  generateId?: () => string;
}

const KNOWN = new Set(['broker', 'backend', 'eager', 'logger', 'generateId']);

export function checkCeleriacOptions(options: CeleriacOptions): void {
  const check = optionChecker('new Celeriac()');
  if (typeof options !== 'object' || options === null) check.fail('options', `must be an object, got ${show(options)}`);
  check.unknownKeys(options, KNOWN);
  if ((options.broker === undefined) !== (options.backend === undefined)) {
    check.fail(options.broker === undefined ? 'broker' : 'backend', 'must be given together with the other: pass both broker and backend, or neither for the in-memory default');
  }
  for (const [name, value, methods] of [
    ['broker', options.broker, ['publish', 'reserve', 'ack', 'requeue', 'revoke', 'onRevoke']],
    ['backend', options.backend, ['apply', 'get', 'subscribe']],
    ['logger', options.logger, ['warn', 'error']],
  ] as const) {
    if (value === undefined) continue;
    const missing = methods.filter((m) => typeof (value as unknown as Record<string, unknown>)[m] !== 'function');
    if (missing.length > 0) check.fail(name, `is missing ${missing.join(', ')}: pass a ${name} object implementing the interface`);
  }
  if (options.eager !== undefined && typeof options.eager !== 'boolean') check.fail('eager', `must be a boolean, got ${show(options.eager)}`);
  if (options.generateId !== undefined && typeof options.generateId !== 'function') check.fail('generateId', 'must be a function returning a string');
}
