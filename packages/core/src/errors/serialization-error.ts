import { CeleriacError } from './celeriac-error.js';

/** Task arguments or a result that cannot travel as JSON. Nothing was enqueued. */
export class SerializationError extends CeleriacError {
  readonly code = 'NOT_SERIALIZABLE' as const;

  constructor(what: string, reason: string) {
    super(`${what} must be JSON-serializable: ${reason}`);
  }
}
