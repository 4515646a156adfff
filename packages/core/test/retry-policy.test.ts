import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, RetryRequest, TimeLimitExceededError, UnrecoverableError } from '../src/index.js';
import { decideRetry } from '../src/worker/retry-policy.js';

const base = { retries: 2, backoff: { ...DEFAULT_BACKOFF, jitter: false, delay: 100 }, retryOn: undefined, dontRetryOn: undefined };

describe('decideRetry', () => {
  it('retries any error while retries are left, but not a time limit, an UnrecoverableError or a subclass of it', () => {
    expect(decideRetry(base, new Error('x'), 1)).toMatchObject({ retry: true, countdown: 100 });
    expect(decideRetry(base, new Error('x'), 3)).toMatchObject({ retry: false, failure: { message: 'x' } });
    expect(decideRetry(base, new TimeLimitExceededError(10), 1)).toMatchObject({ retry: false, failure: { type: 'TimeLimitExceededError' } });
    class Fatal extends UnrecoverableError {}
    expect(decideRetry(base, new Fatal('no'), 1)).toMatchObject({ retry: false, failure: { type: 'Fatal' } });
    expect(decideRetry(base, new RetryRequest(undefined, new UnrecoverableError('no')), 1)).toMatchObject({ retry: false, failure: { type: 'UnrecoverableError' } });
  });

  it('follows retryOn and dontRetryOn (classes or predicates), dontRetryOn first; retryOn can ask for time limits', () => {
    const onlyTypeErrors = { ...base, retryOn: [TypeError] };
    expect(decideRetry(onlyTypeErrors, new TypeError('t'), 1).retry).toBe(true);
    expect(decideRetry(onlyTypeErrors, new RangeError('r'), 1).retry).toBe(false);
    const predicate = { ...base, retryOn: (e: unknown) => (e as Error).message === 'again', dontRetryOn: [RangeError] };
    expect(decideRetry(predicate, new Error('again'), 1).retry).toBe(true);
    expect(decideRetry(predicate, new RangeError('again'), 1).retry).toBe(false);
    expect(decideRetry({ ...base, retryOn: [TimeLimitExceededError] }, new TimeLimitExceededError(10), 1).retry).toBe(true);
  });

  it('takes a backoff function with the retry number and the error, and keeps its value sane', () => {
    const custom = { ...base, backoff: (retry: number, error: unknown) => retry * 1000 + ((error as Error).message === 'slow' ? 1 : 0) };
    expect(decideRetry(custom, new Error('slow'), 2)).toMatchObject({ retry: true, countdown: 2001 });
    expect(decideRetry({ ...base, backoff: () => Number.NaN }, new Error('x'), 1)).toMatchObject({ countdown: 0 });
    expect(decideRetry(base, new RetryRequest(42, undefined), 1)).toMatchObject({ retry: true, countdown: 42, cause: undefined });
  });
});
