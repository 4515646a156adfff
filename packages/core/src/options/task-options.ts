import type { RateLimit } from '../contracts/broker.js';
import { type RateLimitOption, parseRateLimit } from './rate-limit.js';
import { show } from '../internal/show.js';
import { type OptionChecker, MAX_TIMER_MS, NAME_PATTERN, optionChecker } from './option-checker.js';

export { MAX_TIMER_MS, NAME_PATTERN, optionChecker, show };
import { DEFAULT_QUEUE } from '../constants.js';

/** How long to wait before a retry. */
export interface BackoffOptions {
  /** @defaultValue `'exponential'` */
  type?: 'fixed' | 'exponential';
  /** Base delay in ms (the first retry's delay). @defaultValue `1000` */
  delay?: number;
  /** Upper bound of any single delay, in ms. @defaultValue `3_600_000` (one hour) */
  maxDelay?: number;
  /** Randomize each delay in [delay/2, delay] so failed tasks do not retry in lockstep. @defaultValue `true` */
  jitter?: boolean;
}

/** Where a task's code runs: on the worker's own event loop, in a worker thread, or in a child process. */
export type PoolKind = 'inline' | 'threads' | 'process';
export const POOL_KINDS: readonly PoolKind[] = ['inline', 'threads', 'process'];

/** A custom retry delay: `retry` is 1 for the first retry; `error` is what the attempt threw. Returns ms. */
export type BackoffFunction = (retry: number, error: unknown) => number;

/** An error class to match with `instanceof`. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** Which errors a rule matches: error classes (`instanceof`, subclasses included), or a predicate. */
export type ErrorMatcher = readonly ErrorClass[] | ((error: unknown) => boolean);

export interface TaskOptions {
  /** Registered name. @defaultValue `ClassName.method` (or the function's name) */
  name?: string;
  /** @defaultValue `'default'` */
  queue?: string;
  /** Automatic retries after a thrown error (0 = fail at once). @defaultValue `0` */
  retries?: number;
  /** The delay before each retry: a fixed or exponential policy, or your own function. */
  backoff?: BackoffOptions | BackoffFunction;
  /**
   * Retry only errors that match (classes or a predicate). Time-limit errors are retried only if
   * this matches them. @defaultValue every error except time limits
   */
  retryOn?: ErrorMatcher;
  /** Never retry errors that match; checked before `retryOn`. `UnrecoverableError` is never retried either. */
  dontRetryOn?: ErrorMatcher;
  /**
   * Where the task's code runs, overriding the worker's `pool`: `'inline'` on the worker's event
   * loop, `'threads'` in a worker thread, `'process'` in a child process (see `WorkerOptions.pool`).
   * @defaultValue the worker's `pool`
   */
  pool?: PoolKind;
  /**
   * Hard limit in ms: the task fails with `TimeLimitExceededError` and its slot is freed. In the
   * `threads` and `process` pools its runner is terminated, so the code stops. Inline, the code is
   * **not** stopped: it runs on until it returns or checks `ctx.signal`. Not retried unless
   * `retryOn` matches `TimeLimitExceededError`.
   */
  timeLimit?: number;
  /** Soft limit in ms: the task's `ctx.signal` is aborted so it can clean up. Must be below `timeLimit`. */
  softTimeLimit?: number;
  /** Default expiry in ms after the call: a task not started by then becomes REVOKED. */
  expires?: number;
  /** 0 to 9, higher first. @defaultValue `0` */
  priority?: number;
  /** Pass a `TaskContext` as the first argument (Celery's `bind=True`). @defaultValue `false` */
  bind?: boolean;
  /**
   * At most this many starts per second/minute/hour across every worker sharing the broker, e.g.
   * `'100/s'`. Tasks over the limit wait in the broker and do not hold up other tasks.
   */
  rateLimit?: RateLimitOption;
  /**
   * When the task fails its last attempt (retries exhausted, or none), move its message to the
   * dead-letter queue with the error as the reason, besides storing FAILURE, so it can be
   * requeued with `app.deadLetters.requeue(id)`. @defaultValue the worker's `deadLetterFailures`
   */
  deadLetter?: boolean;
}

export interface ResolvedBackoff {
  type: 'fixed' | 'exponential';
  delay: number;
  maxDelay: number;
  jitter: boolean;
}

export interface ResolvedTaskOptions {
  name: string;
  queue: string;
  retries: number;
  backoff: ResolvedBackoff | BackoffFunction;
  retryOn: ErrorMatcher | undefined;
  dontRetryOn: ErrorMatcher | undefined;
  pool: PoolKind | undefined;
  timeLimit: number | undefined;
  softTimeLimit: number | undefined;
  expires: number | undefined;
  priority: number;
  bind: boolean;
  rateLimit: RateLimit | undefined;
  /** undefined: as the worker's `deadLetterFailures` says. */
  deadLetter: boolean | undefined;
}

export const DEFAULT_BACKOFF: ResolvedBackoff = { type: 'exponential', delay: 1000, maxDelay: 3_600_000, jitter: true };

export const DEFAULT_TASK_OPTIONS = {
  queue: DEFAULT_QUEUE,
  retries: 0,
  backoff: DEFAULT_BACKOFF,
  priority: 0,
  bind: false,
} as const;

const KNOWN_OPTIONS = new Set(['name', 'queue', 'retries', 'backoff', 'timeLimit', 'softTimeLimit', 'expires', 'priority', 'bind', 'rateLimit', 'retryOn', 'dontRetryOn', 'pool', 'deadLetter']);
const KNOWN_BACKOFF = new Set(['type', 'delay', 'maxDelay', 'jitter']);

/** Validates and fills in defaults. `where` names the decorator and `Class.method` for error messages. */
export function resolveTaskOptions(options: TaskOptions | undefined, where: string, defaultName: string): ResolvedTaskOptions {
  const check = optionChecker(where);
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    check.fail('options', `must be an object, got ${show(options)}`);
  }
  const o = options ?? {};
  check.unknownKeys(o, KNOWN_OPTIONS);
  const backoff = resolveBackoff(o.backoff, check);
  const timeLimit = o.timeLimit === undefined ? undefined : check.timerMs('timeLimit', o.timeLimit);
  const softTimeLimit = o.softTimeLimit === undefined ? undefined : check.timerMs('softTimeLimit', o.softTimeLimit);
  if (timeLimit !== undefined && softTimeLimit !== undefined && softTimeLimit >= timeLimit) {
    check.fail('softTimeLimit', `(${softTimeLimit} ms) must be below timeLimit (${timeLimit} ms)`);
  }
  if (o.bind !== undefined && typeof o.bind !== 'boolean') check.fail('bind', `must be a boolean, got ${show(o.bind)}`);
  if (o.deadLetter !== undefined && typeof o.deadLetter !== 'boolean') check.fail('deadLetter', `must be a boolean, got ${show(o.deadLetter)}`);
  let rateLimit: RateLimit | undefined;
  if (o.rateLimit !== undefined) {
    const parsed = parseRateLimit(o.rateLimit);
    rateLimit = typeof parsed === 'string' ? check.fail('rateLimit', parsed) : parsed;
  }
  if (o.pool !== undefined && !POOL_KINDS.includes(o.pool)) check.fail('pool', `must be one of ${POOL_KINDS.map((k) => `"${k}"`).join(', ')}, got ${show(o.pool)}`);
  return {
    name: o.name === undefined ? defaultName : check.name('name', o.name),
    queue: o.queue === undefined ? DEFAULT_TASK_OPTIONS.queue : check.name('queue', o.queue),
    retries: o.retries === undefined ? DEFAULT_TASK_OPTIONS.retries : check.nonNegativeInt('retries', o.retries),
    backoff,
    timeLimit,
    softTimeLimit,
    expires: o.expires === undefined ? undefined : check.positiveMs('expires', o.expires),
    priority: o.priority === undefined ? DEFAULT_TASK_OPTIONS.priority : check.priority('priority', o.priority),
    bind: o.bind ?? DEFAULT_TASK_OPTIONS.bind,
    rateLimit,
    retryOn: resolveMatcher(o.retryOn, 'retryOn', check),
    dontRetryOn: resolveMatcher(o.dontRetryOn, 'dontRetryOn', check),
    pool: o.pool,
    deadLetter: o.deadLetter,
  };
}

function resolveMatcher(value: ErrorMatcher | undefined, option: string, check: OptionChecker): ErrorMatcher | undefined {
  const single = value as unknown;
  if (typeof single === 'function' && (single === Error || (single as { prototype?: unknown }).prototype instanceof Error)) {
    check.fail(option, 'takes error classes in an array (e.g. [TypeError]) or a predicate function, got a single class');
  }
  if (value === undefined || typeof value === 'function') return value;
  if (!Array.isArray(value) || value.some((c) => typeof c !== 'function')) {
    check.fail(option, `must be an array of error classes or a function (error) => boolean, got ${show(value)}`);
  }
  return [...value];
}

function resolveBackoff(value: BackoffOptions | BackoffFunction | undefined, check: OptionChecker): ResolvedBackoff | BackoffFunction {
  if (value === undefined) return DEFAULT_BACKOFF;
  if (typeof value === 'function') return value;
  if (typeof value !== 'object' || value === null) check.fail('backoff', `must be an object, got ${show(value)}`);
  check.unknownKeys(value, KNOWN_BACKOFF, 'backoff.');
  if (value.type !== undefined && value.type !== 'fixed' && value.type !== 'exponential') {
    check.fail('backoff.type', `must be "fixed" or "exponential", got ${show(value.type)}`);
  }
  if (value.jitter !== undefined && typeof value.jitter !== 'boolean') {
    check.fail('backoff.jitter', `must be a boolean, got ${show(value.jitter)}`);
  }
  const delay = value.delay === undefined ? DEFAULT_BACKOFF.delay : check.positiveMs('backoff.delay', value.delay);
  const maxDelay = value.maxDelay === undefined ? Math.max(DEFAULT_BACKOFF.maxDelay, delay) : check.positiveMs('backoff.maxDelay', value.maxDelay);
  if (maxDelay < delay) check.fail('backoff.maxDelay', `(${maxDelay} ms) must be at least backoff.delay (${delay} ms)`);
  return { type: value.type ?? DEFAULT_BACKOFF.type, delay, maxDelay, jitter: value.jitter ?? DEFAULT_BACKOFF.jitter };
}
