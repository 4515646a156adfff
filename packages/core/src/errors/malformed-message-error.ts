import { CeleriacError } from './celeriac-error.js';

/** A message in a queue is not a valid Celeriac task message. It goes to the dead-letter queue with this reason. */
export class MalformedMessageError extends CeleriacError {
  readonly code = 'MALFORMED_MESSAGE' as const;

  constructor(readonly reason: string) {
    super(`Malformed task message: ${reason}`);
  }
}
