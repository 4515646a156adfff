import { Celeriac } from '@celeriac/core';
import { type CeleryWorker, startCeleryWorker, type RedisServer, startRedisServer } from '@celeriac/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { celeryRedisStore } from '../src/index.js';

// A Celery worker (acks_late) and a Celeriac worker consume one Redis queue; the Celery worker is
// killed (SIGKILL) with tasks in hand. kombu's visibility bookkeeping (unacked / unacked_index)
// must bring those back, and the Celeriac worker, which restores them as kombu does, runs them.
const VISIBILITY_S = 3;
let server: RedisServer;
let celery: CeleryWorker;
let producer: Celeriac;
let node: Celeriac;

beforeAll(async () => {
  server = await startRedisServer();
  celery = await startCeleryWorker({ broker: server.url, backend: server.url }, { name: 'py-shared', visibilityTimeoutS: VISIBILITY_S });
  const options = { connection: server.url, visibilityTimeout: VISIBILITY_S * 1000, heartbeatInterval: 500 };
  producer = new Celeriac({ store: celeryRedisStore(options) });
  node = new Celeriac({ store: celeryRedisStore(options) });
  node.task({ name: 'shared.work', queue: 'celery' }, async (n: number, ms: number) => {
    await new Promise((r) => setTimeout(r, ms));
    return { n, by: 'node' };
  });
});

afterAll(async () => {
  await node?.close();
  await producer?.close();
  await celery?.kill();
  await server?.stop();
});

it('one Redis queue, a Celery and a Celeriac worker, the Celery worker killed mid-run: every task runs, none is lost', async () => {
  const work = producer.remote<[n: number, ms: number], { n: number; by: string }>('shared.work', { queue: 'celery' });
  const results = await work.bulk(Array.from({ length: 40 }, (_, n) => [n, 250] as [number, number]));
  await node.worker({ queues: ['celery'], concurrency: 2 }).start();
  // Let both take work, then kill the Celery worker with tasks running and prefetched.
  for (const started = Date.now(); !/shared\.work\[.*\] succeeded/.test(celery.output()); ) {
    if (Date.now() - started > 20_000) throw new Error(`the Celery worker ran nothing:\n${celery.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await celery.kill();
  const values = await Promise.all(results.map((r) => r.get({ timeout: 30_000 })));
  expect(values.map((v) => v.n)).toEqual(Array.from({ length: 40 }, (_, n) => n));
  const by = new Set(values.map((v) => v.by));
  expect(by).toEqual(new Set(['python', 'node']));
  // Every one is SUCCESS, and nothing is left waiting or held.
  const store = await producer.connect();
  expect(await store.size('celery')).toBe(0);
}, 60_000);
