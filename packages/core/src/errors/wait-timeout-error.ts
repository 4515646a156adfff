import { CeleriacError } from './celeriac-error.js';

/** `AsyncResult.wait({ timeout })` gave up; the task itself goes on. */
export class WaitTimeoutError extends CeleriacError {
  readonly code = 'WAIT_TIMEOUT' as const;

  constructor(readonly taskId: string, readonly timeoutMs: number) {
    super(`Task ${taskId} did not finish within ${timeoutMs} ms (the task keeps running; wait again or revoke it)`);
  }
}
