import { PassThrough } from 'node:stream';
import { isTerminal } from '@celeriac/core';
import type { FastifyInstance } from 'fastify';
import { taskNotFound } from '../http-error.js';
import type { ResolvedOptions } from '../resolve-options.js';
import { ID_PARAMS, STATUS_EVENT_SCHEMA, errorResponse, documented, withAuthResponses } from '../schemas.js';
import { parseLastEventId, pumpUpdates } from '../sse.js';

/**
 * `GET /status/:id/events`: Server-Sent Events, one per change of the task (progress included),
 * starting with its current state and ending after a terminal one. `streams` holds one controller
 * per open stream so that closing the server can end them.
 */
export function registerEventsRoute(instance: FastifyInstance, options: ResolvedOptions, streams: Set<AbortController>): void {
  instance.get<{ Params: { id: string } }>(
    '/status/:id/events',
    {
      // A HEAD would run the stream for nothing.
      exposeHeadRoute: false,
      schema: documented({
        summary: 'Follow a task live (Server-Sent Events) until it ends',
        description:
          'Each event has the SSE id = seq and data = the status shape plus seq. The stream ends after SUCCESS, FAILURE or REVOKED. ' +
          'A client reading slower than the task reports gets the newest state when it catches up: skipped events are replaced, not queued. ' +
          'A client reconnecting with Last-Event-ID gets only newer events, or 204 once the task has ended.',
        tags: ['tasks'],
        params: ID_PARAMS,
        response: withAuthResponses(
          {
            200: { description: 'A text/event-stream of task updates', content: { 'text/event-stream': { schema: STATUS_EVENT_SCHEMA } } },
            204: { description: 'The task ended before the Last-Event-ID the client sent: stop reconnecting', type: 'null' },
            400: errorResponse('The id is malformed'),
            404: errorResponse('No task has this id'),
          },
          options.auth !== undefined,
        ),
      }),
    },
    async (request, reply) => {
      const { id } = request.params;
      const result = await options.app.result(id).refresh();
      const record = result.record;
      if (record === null) throw taskNotFound(id);
      const lastSeen = parseLastEventId(request.headers['last-event-id']);
      // An EventSource reconnects whenever a stream ends; 204 is the standard way to make it stop.
      if (lastSeen !== undefined && isTerminal(record.state) && record.seq <= lastSeen) return reply.code(204).send();

      const controller = new AbortController();
      const stop = () => controller.abort();
      const out = new PassThrough();
      // 'close' on the response: the client went away (or the response ended). Stop following the task.
      reply.raw.once('close', stop);
      if (reply.raw.destroyed) stop(); // it left while the record was being read
      // Writing after the client left may error the stream; an unhandled 'error' would crash the process.
      out.on('error', stop);
      streams.add(controller);
      void pumpUpdates(result, out, controller.signal, lastSeen ?? 0, request.log).finally(() => {
        streams.delete(controller);
        reply.raw.off('close', stop);
      });
      return reply
        .code(200)
        .header('content-type', 'text/event-stream')
        .header('cache-control', 'no-cache')
        .header('x-accel-buffering', 'no') // nginx would otherwise buffer the stream
        .send(out);
    },
  );
}
