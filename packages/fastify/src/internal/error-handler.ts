import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorResponse } from '../wire-types.js';
import { HttpError } from './http-error.js';

/**
 * Every error of the plugin's routes in one JSON shape, `{ statusCode, error, message, code? }`,
 * whatever error handler the app has set (it may render HTML). A 4xx keeps its message: it tells the
 * client what to fix. Anything else is the server's fault and its message may hold internals (a
 * store's address, a password in a URL), so it is logged and answered with a generic 500; the app's
 * `onError` hooks still see the original error. The plugin's own 503 (the store did not accept an
 * enqueue in time) keeps its message and `Retry-After`: it says nothing internal, and tells the
 * client to come back.
 */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const own = error instanceof HttpError ? error : undefined;
  const clientError = (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode <= 499) || own?.statusCode === 503;
  if (!clientError) request.log.error({ err: error }, '@celeriac/fastify: request failed');
  else if (own?.statusCode === 503) request.log.warn({ err: error }, '@celeriac/fastify: the store did not accept an enqueue in time');
  const statusCode = clientError ? (error.statusCode as number) : 500;
  if (own !== undefined) reply.headers(own.headers);
  const body: ErrorResponse = {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Client Error',
    message: clientError ? error.message : 'The request failed on the server; the error has been logged',
    ...(clientError && typeof error.code === 'string' ? { code: error.code } : {}),
  };
  return reply.code(statusCode).send(body);
}
