import { CeleriacError } from './celeriac-error.js';

/** Task arguments larger than the app's `maxMessageSize`. Nothing was enqueued. */
export class MessageTooLargeError extends CeleriacError {
  readonly code = 'MESSAGE_TOO_LARGE' as const;

  constructor(
    what: string,
    readonly limit: number,
  ) {
    super(`${what} are larger than ${limit} characters of JSON (the maxMessageSize option): pass a reference (a key, a URL) to the data instead of the data itself`);
  }
}
