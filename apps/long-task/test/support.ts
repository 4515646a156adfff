import type { AddressInfo } from 'node:net';
import { Celeriac } from '@celeriac/core';
import { LongTasks } from '../src/long-task.js';
import { buildServer } from '../src/server.js';

/** The demo server on an ephemeral port, on the memory broker with an in-process worker. */
export async function startDemo(stepMs: number, random: () => number = Math.random) {
  const app = new Celeriac();
  const { longTask } = app.register(new LongTasks({ stepMs, random }));
  await app.worker({ concurrency: 10, pollInterval: 50 }).start();
  const server = await buildServer(app, longTask);
  await server.fastify.listen({ port: 0, host: '127.0.0.1' });
  const { port } = server.fastify.server.address() as AddressInfo;
  return {
    app,
    server,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await server.close();
      await app.close();
    },
  };
}
