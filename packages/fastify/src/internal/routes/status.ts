import type { FastifyInstance } from 'fastify';
import { toTaskStatus } from '../../task-status.js';
import { taskNotFound } from '../http-error.js';
import type { ResolvedOptions } from '../resolve-options.js';
import { ID_PARAMS, STATUS_SCHEMA, errorResponse, documented, withAuthResponses } from '../schemas.js';

/** `GET /status/:id`: the seed's status shape, for any task; an id never enqueued is a 404. */
export function registerStatusRoute(instance: FastifyInstance, options: ResolvedOptions): void {
  instance.get<{ Params: { id: string } }>(
    '/status/:id',
    {
      schema: documented({
        summary: 'Read the state and progress of a task',
        tags: ['tasks'],
        params: ID_PARAMS,
        response: withAuthResponses(
          {
            200: { description: 'The task state in the shape { state, current, total, status, result?, error? }', ...STATUS_SCHEMA },
            400: errorResponse('The id is malformed'),
            404: errorResponse('No task has this id'),
          },
          options.auth !== undefined,
        ),
      }),
    },
    async (request) => {
      const { id } = request.params;
      const result = await options.app.result(id).refresh();
      if (result.record === null) throw taskNotFound(id);
      return toTaskStatus(result.record);
    },
  );
}
