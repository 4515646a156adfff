import { readFile } from 'node:fs/promises';
import type { AsyncResult, Celeriac, TaskHandle } from '@celeriac/core';
import { celeriacDashboard } from '@celeriac/dashboard';
import { celeriacFastify, toTaskStatus } from '@celeriac/fastify';
import { createTaskChannel, type TaskChannel } from '@celeriac/socket.io';
import Fastify, { type FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import { serveClientModules } from './client-files.js';
import type { LongTaskResult } from './long-task.js';

export interface LongTaskServer {
  readonly fastify: FastifyInstance;
  readonly io: Server;
  readonly channel: TaskChannel;
  close(): Promise<void>;
}

const PAGE = new URL('../public/index.html', import.meta.url);

/**
 * The seed's Flask app, done right: `POST /longtask` → 202 + Location, `GET /status/:id` in the
 * seed's shape (404 for ids never enqueued), the page, the generic task routes under `/api`, and
 * the Socket.IO channel that pushes every progress step to the page, and the dashboard at /dashboard/.
 */
export interface ServerOptions {
  /** Called with each task started by `POST /longtask` (the demo logs its progress). */
  onStarted?: (result: AsyncResult<LongTaskResult>) => void;
}

export async function buildServer(app: Celeriac, longTask: TaskHandle<[], LongTaskResult>, options: ServerOptions = {}): Promise<LongTaskServer> {
  const fastify = Fastify({ logger: false, routerOptions: { maxParamLength: 128 } });
  const page = await readFile(PAGE, 'utf8');

  await fastify.register(celeriacFastify, { app, prefix: '/api', tasks: [{ task: longTask, args: { type: 'array', maxItems: 0 } }] });
  // A demo on this machine: no auth hook. A real deployment gives the dashboard one.
  await fastify.register(celeriacDashboard, { app, prefix: '/dashboard', title: 'long-task demo' });

  fastify.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  serveClientModules(fastify, '/vendor/celeriac-client');

  fastify.post('/longtask', async (_request, reply) => {
    const result = await longTask.delay();
    options.onStarted?.(result);
    return reply.code(202).header('location', `/status/${result.id}`).send({ id: result.id, state: result.state });
  });

  fastify.get<{ Params: { id: string } }>(
    '/status/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' } }, required: ['id'] } } },
    async (request, reply) => {
      const result = await app.result(request.params.id).refresh();
      if (result.record === null) {
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `No task with id ${JSON.stringify(request.params.id)} was ever enqueued` });
      }
      return toTaskStatus(result.record);
    },
  );

  const io = new Server(fastify.server, { serveClient: true });
  const channel = createTaskChannel(io, app);
  await fastify.ready();
  return {
    fastify,
    io,
    channel,
    close: async () => {
      await channel.close();
      io.close();
      await fastify.close();
    },
  };
}
