import { CeleriacError } from './celeriac-error.js';

/**
 * No record exists for this task id: it was never enqueued (a made-up or mistyped id), or its
 * record expired or was forgotten. Waiting for it would never end, so `wait()` rejects instead.
 */
export class UnknownTaskError extends CeleriacError {
  readonly code = 'UNKNOWN_TASK' as const;

  constructor(readonly taskId: string) {
    super(`No task has id "${taskId}": it was never enqueued, or its record has expired or been forgotten`);
  }
}
