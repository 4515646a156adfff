import { CeleriacError } from './celeriac-error.js';

/**
 * The thread or child process running the task died under it (uncaught exception outside the
 * task, `process.exit`, out of memory, a crash in a native addon). Only that task is lost; it is
 * retried like any other error when the task has retries left (Celery's `WorkerLostError`).
 */
export class RunnerCrashedError extends CeleriacError {
  readonly code = 'RUNNER_CRASHED' as const;

  constructor(readonly pool: string, readonly detail: string) {
    super(`The ${pool} runner of this task died while running it: ${detail}`);
  }
}
