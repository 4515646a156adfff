import type { TaskStore } from '../contracts/task-store.js';
import type { Logger } from '../context/logger.js';
import type { TaskTracing } from '../contracts/tracing.js';
import { MAX_MESSAGE_SIZE_CEILING, MAX_NESTING_DEPTH_CEILING } from '../constants.js';
import { optionChecker, show } from '../options/task-options.js';

export { MAX_MESSAGE_SIZE_CEILING, MAX_NESTING_DEPTH_CEILING };

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
  /** @defaultValue a console logger at the level of the `CELERIAC_LOG` environment variable (default `warn`) */
  logger?: Logger;
  /** Makes task ids. @defaultValue a random (version 4) UUID */
  generateId?: () => string;
  /**
   * The largest arguments `delay()` / `applyAsync()` / `bulk()` accept per task, in characters of
   * JSON (strings and keys count their length, structure its brackets and commas); larger ones are
   * refused with a `MessageTooLargeError` and nothing is enqueued. Large data belongs in a database
   * or object store, with its key in the arguments. At most {@link MAX_MESSAGE_SIZE_CEILING}.
   * @defaultValue `1_048_576` (1 MiB)
   */
  maxMessageSize?: number;
  /**
   * How deeply arrays and objects may nest in a task's arguments (the argument list counts 1); deeper
   * ones are refused with a `SerializationError`. At most {@link MAX_NESTING_DEPTH_CEILING}.
   * @defaultValue `64`
   */
  maxNestingDepth?: number;
  /**
   * How long `delay()` / `applyAsync()` / `bulk()` / `send()` wait for the store to accept a task
   * before rejecting with a retryable `EnqueueTimeoutError` (during a Redis outage, instead of
   * waiting for the reconnect). @defaultValue `10_000` (ms)
   */
  enqueueTimeout?: number;
  /**
   * Appends this process's lifecycle events (its producer's `task-sent`, its workers' task and
   * worker events) to the queue-wide event stream, which any process reads with `app.events`
   * (Celery's `-E`). Off by default: it costs a store write per burst of tasks. A worker's own
   * `events` option turns it on for that worker alone. @defaultValue `false`
   */
  events?: boolean;
  /**
   * Traces each task from the producer's `delay()` to the worker's run, e.g. `openTelemetry()`
   * from `@celeriac/opentelemetry`. @defaultValue none (no tracing call on any path)
   */
  tracing?: TaskTracing;
}


export const DEFAULT_CELERIAC_OPTIONS = {
  eager: false,
  maxMessageSize: 1_048_576,
  maxNestingDepth: 64,
  enqueueTimeout: 10_000,
} as const;

const KNOWN = new Set(['store', 'eager', 'logger', 'generateId', 'maxMessageSize', 'maxNestingDepth', 'enqueueTimeout', 'events', 'tracing']);

const INTERFACES = { store: 'TaskStore', logger: 'Logger', tracing: 'TaskTracing' } as const;

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
    ['tracing', options.tracing, ['send', 'process']],
  ] as const) {
    if (value === undefined) continue;
    const missing = methods.filter((m) => typeof (value as unknown as Record<string, unknown>)[m] !== 'function');
    if (missing.length > 0) check.fail(name, `is missing ${missing.join(', ')}: pass an object implementing the ${INTERFACES[name]} interface`);
  }
  if (options.eager !== undefined && typeof options.eager !== 'boolean') check.fail('eager', `must be a boolean, got ${show(options.eager)}`);
  if (options.events !== undefined && typeof options.events !== 'boolean') check.fail('events', `must be a boolean, got ${show(options.events)}`);
  if (options.generateId !== undefined && typeof options.generateId !== 'function') check.fail('generateId', 'must be a function returning a string');
  if (options.maxMessageSize !== undefined && check.positiveInt('maxMessageSize', options.maxMessageSize) > MAX_MESSAGE_SIZE_CEILING) {
    check.fail('maxMessageSize', `must be at most ${MAX_MESSAGE_SIZE_CEILING} (64 MiB, what stores accept), got ${options.maxMessageSize}`);
  }
  if (options.maxNestingDepth !== undefined && check.positiveInt('maxNestingDepth', options.maxNestingDepth) > MAX_NESTING_DEPTH_CEILING) {
    check.fail('maxNestingDepth', `must be at most ${MAX_NESTING_DEPTH_CEILING} (what stores accept), got ${options.maxNestingDepth}`);
  }
  if (options.enqueueTimeout !== undefined) check.timerMs('enqueueTimeout', options.enqueueTimeout);
}
