import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EnqueueRequest, TaskAccepted } from '../../wire-types.js';
import { toApplyOptions } from '../apply-options.js';
import { ENQUEUE_RETRY_AFTER_SECONDS, HttpError } from '../http-error.js';
import type { ResolvedOptions } from '../resolve-options.js';
import type { ResolvedExposedTask } from '../resolve-tasks.js';
import { formatSchemaErrors } from '../schema-errors.js';
import { ACCEPTED_SCHEMA, ANY_ENQUEUE_BODY_SCHEMA, NAME_PARAMS, enqueueBodySchema, errorResponse, documented, withAuthResponses } from '../schemas.js';

/**
 * `POST /tasks/<name>`: one route per exposed task, so each validates (and documents) its own
 * argument schema, plus a catch-all `POST /tasks/:name` answering 404 for every other name.
 */
export function registerEnqueueRoutes(instance: FastifyInstance, options: ResolvedOptions): void {
  const responses = withAuthResponses(
    {
      202: {
        description: 'Enqueued. The Location header is the task status URL.',
        headers: { Location: { type: 'string', description: 'The status URL, <prefix>/status/{id}' } },
        ...ACCEPTED_SCHEMA,
      },
      400: errorResponse('Malformed JSON, arguments that do not match the schema, or invalid options'),
      413: errorResponse("The body is larger than the bodyLimit option, or the arguments larger than the app's maxMessageSize"),
      415: errorResponse('The body is not JSON'),
      503: errorResponse('The store did not accept the task within the app\'s enqueueTimeout (an outage): retry after Retry-After seconds'),
    },
    options.auth !== undefined,
  );

  for (const task of options.tasks.values()) {
    instance.post<{ Body: EnqueueRequest }>(
      `/tasks/${escapePath(task.name)}`,
      {
        bodyLimit: options.bodyLimit,
        schema: documented({
          summary: `Enqueue ${task.name}`,
          ...(task.description === undefined ? {} : { description: task.description }),
          tags: ['tasks'],
          body: enqueueBodySchema(task.argsSchema),
          response: responses,
        }),
      },
      (request, reply) => enqueue(instance.prefix, options, task, request.body, reply),
    );
  }

  instance.post<{ Params: { name: string }; Body: EnqueueRequest }>(
    '/tasks/:name',
    {
      bodyLimit: options.bodyLimit,
      schema: documented({
        // Each exposed task documents its own route; this one only refuses the rest.
        hide: true,
        params: NAME_PARAMS,
        body: ANY_ENQUEUE_BODY_SCHEMA,
        response: { ...responses, 404: errorResponse('No exposed task has this name') },
      }),
    },
    async (request, reply) => {
      const { name } = request.params;
      const task = options.tasks.get(name);
      // The same answer for unknown and registered-but-unexposed names: the allow-list is not probed.
      if (task === undefined) throw new HttpError(404, 'CELERIAC_TASK_NOT_EXPOSED', `No task named ${JSON.stringify(name)} can be enqueued here`);
      // An exposed name reaches this route only when the client percent-encoded a ':' of it.
      if (!task.validateArgs(request.body.args)) {
        throw new HttpError(400, 'FST_ERR_VALIDATION', formatSchemaErrors(task.validateArgs.errors ?? [], 'body/args'));
      }
      return enqueue(instance.prefix, options, task, request.body, reply);
    },
  );
}

async function enqueue(prefix: string, options: ResolvedOptions, task: ResolvedExposedTask, body: EnqueueRequest, reply: FastifyReply): Promise<FastifyReply> {
  const apply = toApplyOptions(body.options, task.defaults);
  let id: string;
  let state: string;
  try {
    const result = await options.app.send(task.name, body.args, apply);
    ({ id, state } = result);
  } catch (error) {
    throw asClientError(error);
  }
  const accepted: TaskAccepted = { id, state };
  return reply.code(202).header('location', `${prefix}/status/${encodeURIComponent(id)}`).send(accepted);
}

/**
 * Core refuses bad options, non-JSON, too deep and too large arguments before enqueuing anything:
 * the client's mistake. A store that did not accept the task in time is an outage: 503, retry later.
 */
function asClientError(error: unknown): unknown {
  // Matched by stable code, not class: the app may load another copy of @celeriac/core.
  const code = (error as { code?: unknown } | null)?.code;
  if (!(error instanceof Error)) return error;
  if (code === 'INVALID_OPTION' || code === 'NOT_SERIALIZABLE') return new HttpError(400, code, error.message);
  if (code === 'MESSAGE_TOO_LARGE') return new HttpError(413, code, error.message);
  if (code === 'ENQUEUE_TIMEOUT') {
    return new HttpError(503, code, `The task could not be enqueued in time: the task store is unavailable. Retry after ${ENQUEUE_RETRY_AFTER_SECONDS} s`, {
      'retry-after': String(ENQUEUE_RETRY_AFTER_SECONDS),
    });
  }
  return error;
}

/** find-my-way reads `:` as the start of a parameter; `::` is a literal colon. */
function escapePath(name: string): string {
  return name.replaceAll(':', '::');
}
