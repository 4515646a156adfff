import { CeleriacError } from './celeriac-error.js';

/**
 * Throw (or extend) this from a task to fail it for good: the remaining retries are skipped
 * whatever `retries` and `retryOn` say (BullMQ's `UnrecoverableError`).
 */
export class UnrecoverableError extends CeleriacError {
  readonly code: string = 'UNRECOVERABLE';
}
