import { optionChecker, show } from '../options/task-options.js';

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
   * Tasks that fail their last attempt also go to the dead-letter queue (with the error as the
   * reason), unless their own `deadLetter` option says otherwise. @defaultValue `false`
   */
  deadLetterFailures?: boolean;
}

export interface ResolvedWorkerOptions {
  queues: string[] | undefined;
  concurrency: number;
  shutdownTimeout: number;
  maxDeliveries: number;
  pollInterval: number;
  deadLetterFailures: boolean;
}

export const DEFAULT_WORKER_OPTIONS = {
  concurrency: 10,
  shutdownTimeout: 30_000,
  maxDeliveries: 5,
  pollInterval: 1_000,
  deadLetterFailures: false,
} as const;

const KNOWN = new Set(['queues', 'concurrency', 'shutdownTimeout', 'maxDeliveries', 'pollInterval', 'deadLetterFailures']);

export function resolveWorkerOptions(options: WorkerOptions = {}): ResolvedWorkerOptions {
  const check = optionChecker('app.worker()');
  check.unknownKeys(options, KNOWN);
  let queues: string[] | undefined;
  if (options.queues !== undefined) {
    if (!Array.isArray(options.queues) || options.queues.length === 0) check.fail('queues', `must be a non-empty array of queue names, got ${show(options.queues)}`);
    queues = options.queues.map((q, i) => check.name(`queues[${i}]`, q));
  }
  return {
    queues,
    concurrency: options.concurrency === undefined ? DEFAULT_WORKER_OPTIONS.concurrency : check.positiveInt('concurrency', options.concurrency),
    shutdownTimeout: options.shutdownTimeout === undefined ? DEFAULT_WORKER_OPTIONS.shutdownTimeout : check.nonNegativeInt('shutdownTimeout', options.shutdownTimeout),
    maxDeliveries: options.maxDeliveries === undefined ? DEFAULT_WORKER_OPTIONS.maxDeliveries : check.positiveInt('maxDeliveries', options.maxDeliveries),
    pollInterval: options.pollInterval === undefined ? DEFAULT_WORKER_OPTIONS.pollInterval : check.positiveInt('pollInterval', options.pollInterval),
    deadLetterFailures: options.deadLetterFailures === undefined ? DEFAULT_WORKER_OPTIONS.deadLetterFailures : checkBoolean(check, 'deadLetterFailures', options.deadLetterFailures),
  };
}

function checkBoolean(check: ReturnType<typeof optionChecker>, option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') check.fail(option, `must be a boolean, got ${show(value)}`);
  return value as boolean;
}
