import { POOL_KINDS, type PoolKind, optionChecker, show } from '../options/task-options.js';

export interface WorkerOptions {
  /** Queues to consume. @defaultValue the queues of every registered task */
  queues?: string[];
  /** Tasks run at once. The worker reserves only as many messages as it has free slots. @defaultValue `10` */
  concurrency?: number;
  /** On close, how long in-flight tasks may run before they are aborted and handed back, in ms. @defaultValue `30_000` */
  shutdownTimeout?: number;
  /** A message delivered more often than this (it keeps killing workers) is dead-lettered. @defaultValue `5` */
  maxDeliveries?: number;
  /** How long one reserve call may block waiting for work, in ms. @defaultValue `1_000` */
  pollInterval?: number;
  /**
   * Where task code runs (a task's own `pool` option overrides it):
   * - `'inline'`: on this worker's event loop. Cheapest, for light async I/O. A hard time limit
   *   fails the run and frees its slot but cannot stop the code.
   * - `'threads'`: one `worker_threads` thread per slot. A hard limit terminates the thread.
   * - `'process'`: one child process per slot (Celery's prefork). Strongest isolation.
   * @defaultValue `'inline'`
   */
  pool?: PoolKind;
  /**
   * The module a thread or child process loads to find the tasks (a path, a `file:` URL or a
   * package specifier): it must export the `Celeriac` app, as `default` or as `app`, with the same
   * tasks registered. Required when any task runs in `'threads'` or `'process'`.
   */
  module?: string | URL;
  /** A runner (thread or child process) is replaced after this many tasks. @defaultValue unlimited */
  maxTasksPerRunner?: number;
  /**
   * A runner is replaced after a task leaves it using more than this many megabytes (the heap of
   * a thread, the resident memory of a process). @defaultValue unlimited
   */
  maxMemoryPerRunner?: number;
  /**
   * How long a revoked task in a thread or process may keep running after its signal is aborted
   * before its runner is terminated, in ms. @defaultValue `5_000`
   */
  revokeGracePeriod?: number;
  /**
   * Tasks that fail their last attempt also go to the dead-letter queue (with the error as the
   * reason), unless their own `deadLetter` option says otherwise. @defaultValue `false`
   */
  deadLetterFailures?: boolean;
  /**
   * How often the worker stores its heartbeat (what `app.workers.list()` shows), in ms. A worker
   * that misses three (killed, or cut off from the store) drops out of the list. @defaultValue `10_000`
   */
  heartbeatInterval?: number;
  /**
   * Appends this worker's events to the queue-wide event stream (`app.events`), as the app's
   * `events` option does for every worker of the app. @defaultValue the app's `events` option
   */
  events?: boolean;
}

export interface ResolvedWorkerOptions {
  queues: string[] | undefined;
  concurrency: number;
  shutdownTimeout: number;
  maxDeliveries: number;
  pollInterval: number;
  pool: PoolKind;
  module: string | undefined;
  maxTasksPerRunner: number | undefined;
  maxMemoryPerRunner: number | undefined;
  revokeGracePeriod: number;
  deadLetterFailures: boolean;
  heartbeatInterval: number;
  events: boolean | undefined;
}

export const DEFAULT_WORKER_OPTIONS = {
  concurrency: 10,
  shutdownTimeout: 30_000,
  maxDeliveries: 5,
  pollInterval: 1_000,
  pool: 'inline',
  revokeGracePeriod: 5_000,
  deadLetterFailures: false,
  heartbeatInterval: 10_000,
} as const;

const KNOWN = new Set(['queues', 'concurrency', 'shutdownTimeout', 'maxDeliveries', 'pollInterval', 'pool', 'module', 'maxTasksPerRunner', 'maxMemoryPerRunner', 'revokeGracePeriod', 'deadLetterFailures', 'heartbeatInterval', 'events']);

export function resolveWorkerOptions(options: WorkerOptions = {}): ResolvedWorkerOptions {
  const check = optionChecker('app.worker()');
  check.unknownKeys(options, KNOWN);
  let queues: string[] | undefined;
  if (options.queues !== undefined) {
    if (!Array.isArray(options.queues) || options.queues.length === 0) check.fail('queues', `must be a non-empty array of queue names, got ${show(options.queues)}`);
    queues = options.queues.map((q, i) => check.name(`queues[${i}]`, q));
  }
  if (options.pool !== undefined && !POOL_KINDS.includes(options.pool)) {
    check.fail('pool', `must be one of ${POOL_KINDS.map((k) => `"${k}"`).join(', ')}, got ${show(options.pool)}`);
  }
  let module: string | undefined;
  if (options.module !== undefined) {
    if (options.module instanceof URL) module = options.module.href;
    else if (typeof options.module === 'string' && options.module.length > 0) module = options.module;
    else check.fail('module', `must be a path, a URL or a module specifier, got ${show(options.module)}`);
  }
  return {
    queues,
    concurrency: options.concurrency === undefined ? DEFAULT_WORKER_OPTIONS.concurrency : check.positiveInt('concurrency', options.concurrency),
    shutdownTimeout: options.shutdownTimeout === undefined ? DEFAULT_WORKER_OPTIONS.shutdownTimeout : check.nonNegativeInt('shutdownTimeout', options.shutdownTimeout),
    maxDeliveries: options.maxDeliveries === undefined ? DEFAULT_WORKER_OPTIONS.maxDeliveries : check.positiveInt('maxDeliveries', options.maxDeliveries),
    pollInterval: options.pollInterval === undefined ? DEFAULT_WORKER_OPTIONS.pollInterval : check.positiveInt('pollInterval', options.pollInterval),
    pool: options.pool ?? DEFAULT_WORKER_OPTIONS.pool,
    module,
    maxTasksPerRunner: options.maxTasksPerRunner === undefined ? undefined : check.positiveInt('maxTasksPerRunner', options.maxTasksPerRunner),
    maxMemoryPerRunner: options.maxMemoryPerRunner === undefined ? undefined : check.positiveInt('maxMemoryPerRunner', options.maxMemoryPerRunner),
    revokeGracePeriod: options.revokeGracePeriod === undefined ? DEFAULT_WORKER_OPTIONS.revokeGracePeriod : check.timerMs('revokeGracePeriod', options.revokeGracePeriod),
    deadLetterFailures: options.deadLetterFailures === undefined ? DEFAULT_WORKER_OPTIONS.deadLetterFailures : checkBoolean(check, 'deadLetterFailures', options.deadLetterFailures),
    heartbeatInterval: options.heartbeatInterval === undefined ? DEFAULT_WORKER_OPTIONS.heartbeatInterval : check.timerMs('heartbeatInterval', options.heartbeatInterval),
    events: options.events === undefined ? undefined : checkBoolean(check, 'events', options.events),
  };
}

function checkBoolean(check: ReturnType<typeof optionChecker>, option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') check.fail(option, `must be a boolean, got ${show(value)}`);
  return value as boolean;
}
