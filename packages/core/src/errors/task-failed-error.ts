import type { SerializedError } from '../contracts/record.js';
import { CeleriacError } from './celeriac-error.js';

/** `AsyncResult.get()` of a task that failed: carries the remote error's type, message and stack. */
export class TaskFailedError extends CeleriacError {
  readonly code = 'TASK_FAILED' as const;

  constructor(
    readonly taskId: string,
    readonly remote: SerializedError,
  ) {
    super(`Task ${taskId} failed: ${remote.type}: ${remote.message}`);
    if (remote.stack !== undefined) this.stack = `${this.name}: ${this.message}\n--- remote stack ---\n${remote.stack}`;
  }
}
