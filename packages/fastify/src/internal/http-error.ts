/** A request the plugin refuses: the error handler turns it into `{ statusCode, error, message, code }`. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Headers to send with the answer, e.g. `Retry-After` on a 503. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** How long a client should wait before retrying an enqueue the store did not accept in time (the Retry-After of a 503), in seconds. */
export const ENQUEUE_RETRY_AFTER_SECONDS = 5;

export const taskNotFound = (id: string) => new HttpError(404, 'CELERIAC_TASK_NOT_FOUND', `No task has id "${id}": it was never enqueued, or its record has expired`);
