import { Celeriac } from '@celeriac/core';
import { createRedisStore } from '@celeriac/redis';
import { type RabbitMqServer, startRabbitMqServer, startRedisServer } from '@celeriac/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBroker, createAmqpStore } from '../src/index.js';
import { type WorkerProcess, startWorkerProcess, stopWorkerProcess, until } from './helpers/worker-process.js';

// Real processes on a real RabbitMQ and Redis: a worker killed with SIGKILL, RabbitMQ stopped and
// started under a running worker, a malformed message among good ones.
let rabbit: RabbitMqServer;
let redis: Awaited<ReturnType<typeof startRedisServer>>;
let admin: Redis;
let count = 0;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

beforeAll(async () => {
  [rabbit, redis] = await Promise.all([startRabbitMqServer(), startRedisServer()]);
  admin = new Redis(redis.url);
});

afterAll(async () => {
  await admin.quit();
  await Promise.all([rabbit.stop(), redis.stop()]);
});

function producer(prefix: string) {
  const backend = createRedisStore({ connection: redis.url, prefix });
  const store = createAmqpStore({ url: rabbit.url, backend, prefix });
  const app = new Celeriac({ store, logger: silent });
  return { app, store, close: async () => { await app.close(); await store.close(); } };
}

describe('AMQP broker under faults', () => {
  it('a worker killed with SIGKILL mid-task: its task is redelivered and runs to completion once, on another worker', { timeout: 90_000 }, async () => {
    const prefix = `kill${++count}`;
    const { app, store, close } = producer(prefix);
    const workers: WorkerProcess[] = [];
    try {
      const common = { amqpUrl: rabbit.url, redisUrl: redis.url, prefix, concurrency: 1 };
      workers.push(await startWorkerProcess({ ...common, name: 'victim' }));
      const result = await app.send('test.work', [7, 1_500]);
      await until(async () => (await admin.lrange(`{${prefix}}:test:starts`, 0, -1)).includes('victim:7'), 20_000, 'the victim to start the task');
      (workers[0] as WorkerProcess).child.kill('SIGKILL');
      await (workers[0] as WorkerProcess).exited;
      workers.push(await startWorkerProcess({ ...common, name: 'survivor' }));
      expect(await result.wait({ timeout: 20_000 })).toEqual({ n: 7, worker: 'survivor' });
      // Started twice (the victim's run never ended), finished once.
      expect(await store.get(result.id)).toMatchObject({ state: 'SUCCESS', result: { n: 7, worker: 'survivor' } });
      expect(await admin.lrange(`{${prefix}}:test:starts`, 0, -1)).toEqual(['victim:7', 'survivor:7']);
      expect(await store.deadLetters()).toEqual([]);
      expect(await store.size('default')).toBe(0);
    } finally {
      await Promise.all(workers.map(stopWorkerProcess));
      await close();
    }
  });

  it('RabbitMQ stopped and started: durable messages survive, the worker reconnects, nothing is lost', { timeout: 120_000 }, async () => {
    const prefix = `restart${++count}`;
    let opened = producer(prefix);
    const workers: WorkerProcess[] = [];
    try {
      // Waiting while RabbitMQ restarts, with no worker yet: ready and delayed messages.
      const waiting = (await Promise.all(Array.from({ length: 10 }, (_, n) => opened.app.send('test.work', [n, 10])))).map((r) => r.id);
      const delayed = (await opened.app.send('test.work', [100, 10], { countdown: 3 })).id;
      await opened.close();
      await rabbit.restart();
      opened = producer(prefix);
      const common = { amqpUrl: rabbit.url, redisUrl: redis.url, prefix, concurrency: 4 };
      workers.push(await startWorkerProcess({ ...common, name: 'w1' }));
      const running = (await Promise.all(Array.from({ length: 20 }, (_, n) => opened.app.send('test.work', [200 + n, 300])))).map((r) => r.id);
      await until(async () => (await admin.llen(`{${prefix}}:test:starts`)) >= 14, 20_000, 'the worker to be busy');
      // Under a running worker, with tasks in flight.
      await rabbit.restart();
      const all = [...waiting, delayed, ...running];
      const outcomes = await Promise.all(all.map((id) => opened.app.result(id).wait({ timeout: 60_000 }) as Promise<{ n: number }>));
      expect(outcomes.map((o) => o.n).sort((a, b) => a - b)).toEqual([...Array.from({ length: 10 }, (_, n) => n), 100, ...Array.from({ length: 20 }, (_, n) => 200 + n)]);
      expect(await opened.store.size('default')).toBe(0);
      expect(await opened.store.deadLetters()).toEqual([]);
    } finally {
      await Promise.all(workers.map(stopWorkerProcess));
      await opened.close();
    }
  });

  it('a malformed message is dead-lettered with its reason while the worker goes on', { timeout: 60_000 }, async () => {
    const prefix = `malformed${++count}`;
    const { app, store, close } = producer(prefix);
    const injector = new AmqpBroker({ url: rabbit.url, backend: createRedisStore({ connection: redis.url, prefix }), prefix });
    const workers: WorkerProcess[] = [];
    try {
      workers.push(await startWorkerProcess({ amqpUrl: rabbit.url, redisUrl: redis.url, prefix, name: 'w', concurrency: 2 }));
      const before = await app.send('test.work', [1, 10]);
      await injector.injectRaw('default', '{"id": "broken", "task": ');
      await injector.injectRaw('default', Buffer.from([0xff, 0xfe, 0x00]));
      const after = await app.send('test.work', [2, 10]);
      expect(await before.wait({ timeout: 20_000 })).toEqual({ n: 1, worker: 'w' });
      expect(await after.wait({ timeout: 20_000 })).toEqual({ n: 2, worker: 'w' });
      await until(async () => (await store.deadLetters()).length === 2, 10_000, 'two dead letters');
      const dead = await store.deadLetters();
      expect(dead.map((d) => d.reason)).toEqual([expect.stringMatching(/^malformed message \(celeriac-json\): .*not valid JSON \(Unexpected end/), expect.stringMatching(/^malformed message \(celeriac-json\): .*not valid JSON/)]);
      expect(dead.map((d) => d.queue)).toEqual(['default', 'default']);
    } finally {
      await Promise.all(workers.map(stopWorkerProcess));
      await injector.close();
      await close();
    }
  });
});
