/** A request the plugin refuses: the error handler turns it into `{ statusCode, error, message, code }`. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const taskNotFound = (id: string) => new HttpError(404, 'CELERIAC_TASK_NOT_FOUND', `No task has id "${id}": it was never enqueued, or its record has expired`);
