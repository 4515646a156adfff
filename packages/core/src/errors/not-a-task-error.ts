import { CeleriacError } from './celeriac-error.js';

/** A handle was asked for a method that has no @task decorator. */
export class NotATaskError extends CeleriacError {
  readonly code = 'NOT_A_TASK' as const;

  constructor(className: string, member: string) {
    super(`${className}.${member} is not a task: decorate it with @task() to call it in the background`);
  }
}
