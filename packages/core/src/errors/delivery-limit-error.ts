import { CeleriacError } from './celeriac-error.js';

/** A task was delivered more times than allowed (it keeps killing workers) and was dead-lettered. */
export class DeliveryLimitError extends CeleriacError {
  readonly code = 'DELIVERY_LIMIT_EXCEEDED' as const;

  constructor(readonly deliveries: number, readonly limit: number) {
    super(`Task was delivered ${deliveries} times (limit ${limit}); it was moved to the dead-letter queue`);
  }
}
