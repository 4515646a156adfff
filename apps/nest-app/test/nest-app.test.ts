import 'reflect-metadata';
import { Celeriac } from '@celeriac/core';
import { type RedisServer, startRedisServer } from '@celeriac/test-support';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../src/app.module.js';
import { createServer } from '../src/server.js';
import { storeOptions } from '../src/store.js';

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const makeThumbnails = async (base: string) => {
  const accepted = await post(`${base}/thumbnails`, { url: 'https://img.example/cat.png', widths: [64, 128] });
  expect(accepted.status).toBe(202);
  const { id } = (await accepted.json()) as { id: string };
  const result = await fetch(`${base}/thumbnails/${id}`);
  expect(result.status).toBe(200);
  expect(await result.json()).toEqual({ thumbnails: ['https://img.example/cat.png?w=64', 'https://img.example/cat.png?w=128'] });
  const status = await fetch(`${base}/celeriac/status/${id}`);
  expect(await status.json()).toMatchObject({ state: 'SUCCESS', result: { thumbnails: expect.any(Array) } });
};

describe('the Nest sample app, one process on the in-memory store', () => {
  it('answers POST /thumbnails with 202, runs the task, serves its result and status', async () => {
    const store = storeOptions(undefined);
    const app = await createServer({ celeriac: store.options, worker: true });
    await app.listen(0, '127.0.0.1');
    try {
      await makeThumbnails(await app.getUrl());
      const { id } = (await (await post(`${await app.getUrl()}/thumbnails/sweep`, { total: 3 })).json()) as { id: string };
      expect(await app.get(Celeriac).result(id).wait({ timeout: 10_000 })).toBe(3);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('rejects arguments that do not match the exposed schema on the status routes', async () => {
    const app = await createServer({ celeriac: {}, worker: true });
    await app.listen(0, '127.0.0.1');
    try {
      const response = await post(`${await app.getUrl()}/celeriac/tasks/Thumbnails.make`, { args: ['x', ['wide']] });
      expect(response.status).toBe(400);
    } finally {
      await app.close();
    }
  });
});

describe('the Nest sample app split in an API process and a worker process over Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('enqueues from the API (no worker there) and runs in the worker', async () => {
    const prefix = `nest-app-${Date.now()}`;
    const apiStore = storeOptions(redis.url, prefix);
    const workerStore = storeOptions(redis.url, prefix);
    const api = await createServer({ celeriac: apiStore.options, worker: false });
    await api.listen(0, '127.0.0.1');
    const worker = await NestFactory.createApplicationContext(AppModule.register({ celeriac: workerStore.options, worker: true }), { logger: false });
    try {
      await makeThumbnails(await api.getUrl());
    } finally {
      await Promise.all([api.close(), worker.close()]);
      await Promise.all([apiStore.close(), workerStore.close()]);
    }
  });
});
