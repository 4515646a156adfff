import type { TaskStore } from '../contracts/task-store.js';
import type { Logger } from '../context/logger.js';
import { optionChecker, show } from '../options/task-options.js';

export interface CeleriacOptions {
  /**
   * Where tasks wait and their states live: a `TaskStore` from a storage package. Closed by
   * `app.close()` only if the app made it.
   * @defaultValue an in-memory store from `@celeriac/memory`
   */
  store?: TaskStore;
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

const KNOWN = new Set(['store', 'eager', 'logger', 'generateId']);

export function checkCeleriacOptions(options: CeleriacOptions): void {
  const check = optionChecker('new Celeriac()');
  if (typeof options !== 'object' || options === null) check.fail('options', `must be an object, got ${show(options)}`);
  if ('broker' in options || 'backend' in options) {
    check.fail('broker' in options ? 'broker' : 'backend', 'is replaced by `store`: pass one TaskStore (e.g. the one a storage package creates), or `splitStore(broker, backend)` from @celeriac/core/adapter for a separate pair');
  }
  check.unknownKeys(options, KNOWN);
  for (const [name, value, methods] of [
    ['store', options.store, ['enqueue', 'publish', 'reserve', 'settle', 'ack', 'apply', 'get', 'subscribe', 'revoke', 'onRevoke', 'close']],
    ['logger', options.logger, ['warn', 'error']],
  ] as const) {
    if (value === undefined) continue;
    const missing = methods.filter((m) => typeof (value as unknown as Record<string, unknown>)[m] !== 'function');
    if (missing.length > 0) check.fail(name, `is missing ${missing.join(', ')}: pass an object implementing the ${name === 'store' ? 'TaskStore' : 'Logger'} interface`);
  }
  if (options.eager !== undefined && typeof options.eager !== 'boolean') check.fail('eager', `must be a boolean, got ${show(options.eager)}`);
  if (options.generateId !== undefined && typeof options.generateId !== 'function') check.fail('generateId', 'must be a function returning a string');
}
