import { CeleriacError } from './celeriac-error.js';

/**
 * The reason a task's signal is aborted when the worker shuts down past its deadline. The run is
 * handed back to the store (it runs again elsewhere), so this never becomes the task's outcome.
 */
export class WorkerShutdownError extends CeleriacError {
  readonly code = 'WORKER_SHUTDOWN' as const;

  constructor() {
    super('The worker shut down before the task finished; it was handed back to the store');
  }
}
