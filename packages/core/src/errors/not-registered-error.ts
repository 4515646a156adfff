import { CeleriacError } from './celeriac-error.js';

/** A message named a task this worker has not registered. Register it (app.register / app.task) in the worker process. */
export class NotRegisteredError extends CeleriacError {
  readonly code = 'NOT_REGISTERED' as const;

  constructor(readonly taskName: string) {
    super(`Task "${taskName}" is not registered in this worker: register it with app.register(instance) or app.task(...) before starting the worker`);
  }
}
