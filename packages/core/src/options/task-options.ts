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

export interface TaskOptions {
  /** Registered name. @defaultValue `ClassName.method` (or the function's name) */
  name?: string;
  /** @defaultValue `'default'` */
  queue?: string;
  /** Automatic retries after a thrown error (0 = fail at once). @defaultValue `0` */
  retries?: number;
  backoff?: BackoffOptions;
  /** Hard limit in ms: the task fails with `TimeLimitExceededError` and its slot is freed. */
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
  backoff: ResolvedBackoff;
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

const KNOWN_OPTIONS = new Set(['name', 'queue', 'retries', 'backoff', 'timeLimit', 'softTimeLimit', 'expires', 'priority', 'bind', 'rateLimit', 'deadLetter']);
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
    deadLetter: o.deadLetter,
  };
}

function resolveBackoff(value: BackoffOptions | undefined, check: OptionChecker): ResolvedBackoff {
  if (value === undefined) return DEFAULT_BACKOFF;
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
