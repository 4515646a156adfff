import { CeleriacError } from './celeriac-error.js';

/** `AsyncResult.wait({ timeout })` gave up; the task itself goes on. The message says what was known of it. */
export class WaitTimeoutError extends CeleriacError {
  readonly code = 'WAIT_TIMEOUT' as const;

  constructor(
    readonly taskId: string,
    readonly timeoutMs: number,
    /** What was known when the wait gave up, e.g. `it is STARTED`. */
    readonly known = 'its state is unknown',
  ) {
    super(`Task ${taskId} did not finish within ${timeoutMs} ms: ${known}. Wait again, or revoke it`);
  }
}
