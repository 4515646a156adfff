import 'reflect-metadata';
import { Celeriac, type CeleriacOptions } from '@celeriac/core';
import { celeriacFastify } from '@celeriac/fastify';
import { type RedisServer, startRedisServer } from '@celeriac/test-support';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mailer, appModule } from './fixture-app.js';
import { redisStore } from './redis-store.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

const stores: Record<string, () => Promise<{ options: CeleriacOptions; close: () => Promise<void> }>> = {
  memory: async () => ({ options: {}, close: async () => undefined }),
  redis: async () => redisStore(redis.url, `nest-${Date.now()}`),
};

const start = async (options: CeleriacOptions) => {
  const nest = await NestFactory.create<NestFastifyApplication>(appModule({ ...options, worker: { concurrency: 4 } }), new FastifyAdapter(), { logger: false });
  // The Fastify status routes on Nest's own Fastify instance. The cast is for this workspace only:
  // @nestjs/platform-fastify pins its own fastify (5.11) beside the 5.12 that @celeriac/fastify
  // is built against, two copies whose types differ; an app with one fastify needs no cast.
  await nest.register(celeriacFastify as unknown as Parameters<NestFastifyApplication['register']>[0], { app: nest.get(Celeriac), prefix: '/celeriac', tasks: [{ task: 'Mailer.welcome', args: 'any' }] });
  await nest.listen(0, '127.0.0.1');
  return { nest, base: await nest.getUrl() };
};

const json = async (response: Response): Promise<Record<string, unknown>> => {
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
};
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe.each(Object.keys(stores))('a Nest 11 application on the %s store', (kind) => {
  it('runs an HTTP request → task (with its injected service) → result', async () => {
    const store = await stores[kind]!();
    const { nest, base } = await start(store.options);
    try {
      const { id } = await json(await post(`${base}/welcome`, { name: 'Ada' }));
      expect(await json(await fetch(`${base}/welcome/${id}`))).toEqual({ text: 'Hello, Ada!' });
      expect(nest.get(Celeriac).registry.names().sort()).toEqual(['Mailer.welcome', 'mail.digest']);
    } finally {
      await nest.close();
      await store.close();
    }
  });

  it('serves the Fastify status routes from the Nest app', async () => {
    const store = await stores[kind]!();
    const { nest, base } = await start(store.options);
    try {
      const accepted = await post(`${base}/celeriac/tasks/Mailer.welcome`, { args: ['Grace'] });
      expect(accepted.status).toBe(202);
      const { id } = (await accepted.json()) as { id: string };
      await nest.get(Celeriac).result(id).wait({ timeout: 10_000 });
      expect(await json(await fetch(`${base}/celeriac/status/${id}`))).toMatchObject({ state: 'SUCCESS', result: { text: 'Hello, Grace!' } });
    } finally {
      await nest.close();
      await store.close();
    }
  });

  it('lets a running task finish when the application shuts down', async () => {
    const store = await stores[kind]!();
    const { nest, base } = await start(store.options);
    const app = nest.get(Celeriac);
    const { id } = (await json(await post(`${base}/welcome/digest`, { ms: 300 }))) as { id: string };
    const mailer = nest.get(Mailer);
    for await (const update of app.result(id).updates()) if (update.state === 'PROGRESS') break;
    await nest.close();
    expect(mailer.finished).toEqual([id]);
    await store.close();
  });
});
