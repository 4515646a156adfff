import type { ResolvedBackoff } from '../options/task-options.js';

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
