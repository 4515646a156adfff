import { CeleriacError } from './celeriac-error.js';

/**
 * The run no longer holds its delivery's lease: the lease expired (the worker stalled or was cut
 * off from the store), the run was handed back at shutdown, or another delivery took the task. The
 * store refuses the run's writes from then on, so its outcome never overwrites the outcome of the
 * run that took over. A bound task sees this as `ctx.signal.reason`.
 */
export class LeaseLostError extends CeleriacError {
  readonly code = 'LEASE_LOST' as const;

  constructor(readonly taskId: string) {
    super(`Task ${taskId} lost its lease (it expired, was handed back, or another worker took the task): this run's writes are refused and the task runs again elsewhere. Keep the event loop free (check ctx.signal, or run CPU-bound tasks off the main thread) so heartbeats keep the lease.`);
  }
}
