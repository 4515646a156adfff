import { TaskStates, isTerminal } from '@celeriac/core';
import type { FastifyInstance } from 'fastify';
import type { TaskAccepted } from '../../wire-types.js';
import { HttpError, taskNotFound } from '../http-error.js';
import type { ResolvedOptions } from '../resolve-options.js';
import { ACCEPTED_SCHEMA, ID_PARAMS, errorResponse, documented, withAuthResponses } from '../schemas.js';

/**
 * `DELETE /tasks/:id`: revoke. The record is read first so that an unknown id never reaches
 * `app.revoke`, which would remember it in the broker's revoked set (a client could grow that set
 * without bound with made-up ids). Revoking an already revoked task is a 202 again: DELETE is idempotent.
 */
export function registerRevokeRoute(instance: FastifyInstance, options: ResolvedOptions): void {
  const { app } = options;
  instance.delete<{ Params: { id: string } }>(
    '/tasks/:id',
    {
      schema: documented({
        summary: 'Revoke a task: it never starts if waiting; a running one has its signal aborted',
        tags: ['tasks'],
        params: ID_PARAMS,
        response: withAuthResponses(
          {
            202: { description: 'Revoked', ...ACCEPTED_SCHEMA },
            400: errorResponse('The id is malformed'),
            404: errorResponse('No task has this id'),
            409: errorResponse('The task has already finished'),
          },
          options.auth !== undefined,
        ),
      }),
    },
    async (request, reply) => {
      const { id } = request.params;
      const current = (await app.result(id).refresh()).record;
      if (current === null) throw taskNotFound(id);
      if (current.state !== TaskStates.REVOKED) {
        if (isTerminal(current.state)) throw finished(id, current.state);
        const outcome = await app.revoke(id);
        if (outcome === 'unknown') throw taskNotFound(id); // forgotten in between
        if (outcome === 'finished') {
          // It finished in between, or someone else revoked it first (still a success for the client).
          const state = (await app.result(id).refresh()).state;
          if (state !== TaskStates.REVOKED) throw finished(id, state);
        }
      }
      const accepted: TaskAccepted = { id, state: TaskStates.REVOKED };
      return reply.code(202).send(accepted);
    },
  );
}

const finished = (id: string, state: string) =>
  new HttpError(409, 'CELERIAC_TASK_FINISHED', `Task "${id}" has already finished (${state}): there is nothing to revoke`);
