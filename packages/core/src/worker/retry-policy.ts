import type { SerializedError } from '../contracts/record.js';
import { RetryRequest } from '../errors/retry-request.js';
import { SerializationError } from '../errors/serialization-error.js';
import { serializeError } from '../errors/serialize-error.js';
import { TimeLimitExceededError } from '../errors/time-limit-error.js';
import { UnrecoverableError } from '../errors/unrecoverable-error.js';
import type { BackoffFunction, ErrorMatcher, ResolvedBackoff, ResolvedTaskOptions } from '../options/task-options.js';

/**
 * Delay before retry number `retry` (1 for the first retry).
 * Exponential doubles from `delay`; both kinds are capped at `maxDelay`; jitter picks uniformly in
 * [d/2, d] so that tasks failing together do not retry together.
 */
export function backoffDelay(backoff: ResolvedBackoff, retry: number, random: () => number = Math.random): number {
  const base = backoff.type === 'fixed' ? backoff.delay : backoff.delay * 2 ** Math.min(retry - 1, 52);
  const capped = Math.min(base, backoff.maxDelay);
  return backoff.jitter ? Math.round(capped / 2 + random() * (capped / 2)) : capped;
}

/**
 * What becomes of a failed attempt, decided where the error was thrown: in a thread or child
 * process runner the error's class exists only there, so the runner decides and sends the verdict
 * (plain JSON) to the worker, which stores it exactly as it would an inline run's.
 */
export type RetryVerdict =
  | { readonly retry: true; readonly countdown: number; readonly cause: SerializedError | undefined }
  | { readonly retry: false; readonly failure: SerializedError };

type RetryOptions = Pick<ResolvedTaskOptions, 'retries' | 'backoff' | 'retryOn' | 'dontRetryOn'>;

export function decideRetry(options: RetryOptions, error: unknown, attempt: number): RetryVerdict {
  // ctx.retry() asks for a retry explicitly; it still counts against `retries`.
  const cause = error instanceof RetryRequest ? error.reason : error;
  if (attempt <= options.retries && isRetriable(options, error, cause)) {
    const countdown = error instanceof RetryRequest && error.countdownMs !== undefined ? error.countdownMs : delayFor(options.backoff, attempt, cause);
    return { retry: true, countdown, cause: cause === undefined ? undefined : serializeError(cause) };
  }
  const failure = error instanceof RetryRequest && error.reason !== undefined ? error.reason : error;
  return { retry: false, failure: serializeError(failure) };
}

function isRetriable(options: RetryOptions, error: unknown, cause: unknown): boolean {
  if (error instanceof RetryRequest) return !(cause instanceof UnrecoverableError);
  // A result that is not JSON fails the same way every time.
  if (error instanceof SerializationError || error instanceof UnrecoverableError) return false;
  if (options.dontRetryOn !== undefined && matches(options.dontRetryOn, error)) return false;
  if (options.retryOn !== undefined) return matches(options.retryOn, error);
  // A task that ran out of time will most likely do so again: only retried if retryOn says so.
  return !(error instanceof TimeLimitExceededError);
}

function matches(matcher: ErrorMatcher, error: unknown): boolean {
  if (typeof matcher === 'function') return matcher(error);
  return matcher.some((type) => error instanceof type);
}

function delayFor(backoff: ResolvedBackoff | BackoffFunction, retry: number, error: unknown): number {
  if (typeof backoff !== 'function') return backoffDelay(backoff, retry);
  const ms = backoff(retry, error);
  // A bad value from user code must not turn into a tight retry loop or a timer overflow.
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 2 ** 31 - 1) : 0;
}
