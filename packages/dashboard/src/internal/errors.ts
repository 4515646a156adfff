import { STATUS_CODES } from 'node:http';
import type { ErrorResponse } from '@celeriac/fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** A request the dashboard refuses: answered as `{ statusCode, error, message, code }`. */
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

export const notFound = (what: string) => new HttpError(404, 'CELERIAC_DASHBOARD_NOT_FOUND', what);
export const conflict = (what: string) => new HttpError(409, 'CELERIAC_DASHBOARD_CONFLICT', what);

/**
 * Every error of the dashboard's routes in one JSON shape, whatever error handler the app has set
 * (it may render HTML). A 4xx keeps its message: it tells the client what to fix. Anything else
 * may hold internals (a store's address), so it is logged and answered with a generic 500.
 */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const statusCode = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode <= 499 ? error.statusCode : 500;
  if (statusCode === 500) request.log.error({ err: error }, '@celeriac/dashboard: request failed');
  return reply.code(statusCode).send(errorBody(statusCode, statusCode === 500 ? 'The request failed on the server; the error has been logged' : error.message, statusCode === 500 ? undefined : error.code));
}

/** A route under the dashboard's prefix that does not exist: JSON, like every other answer of its API. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send(errorBody(404, `No dashboard route ${request.method} ${request.url.split('?')[0] ?? ''}`, 'CELERIAC_DASHBOARD_NOT_FOUND'));
}

function errorBody(statusCode: number, message: string, code: string | undefined): ErrorResponse {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Client Error', message, ...(typeof code === 'string' ? { code } : {}) };
}
