import { CeleriacError } from './celeriac-error.js';

/**
 * Thrown by `ctx.retry()` to end the current attempt and schedule another (Celery's `Retry`).
 * The worker catches it; a task should let it propagate.
 */
export class RetryRequest extends CeleriacError {
  readonly code = 'RETRY' as const;

  constructor(
    readonly countdownMs: number | undefined,
    readonly reason: unknown,
  ) {
    super(`Retry requested${countdownMs === undefined ? '' : ` in ${countdownMs} ms`}`);
  }
}
