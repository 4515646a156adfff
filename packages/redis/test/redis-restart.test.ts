import type { AsyncResult } from '@celeriac/core';
import { type RedisServer, startRedisServer } from '@celeriac/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { records, redisApp } from './helpers/apps.js';
import { uniquePrefix, until } from './helpers/redis.js';
import { type WorkerProcess, startWorkerProcess, stopWorkerProcess } from './helpers/worker-process.js';

// This test crashes and restarts Redis, so it owns its server (never REDIS_URL).
let server: RedisServer;

beforeAll(async () => {
  server = await startRedisServer({ appendOnly: true, appendFsync: 'always' });
});
afterAll(async () => {
  await server.stop();
});

describe('a Redis crash and restart (AOF, appendfsync always) in the middle of a run', () => {
  it('producers, workers and waiters recover on their own, and no acknowledged enqueue is lost', { timeout: 90_000 }, async () => {
    const prefix = uniquePrefix('restart');
    const { app, store, close } = redisApp({ connection: server.url, prefix });
    const workers: WorkerProcess[] = [];
    const admin = new Redis(server.url, { maxRetriesPerRequest: null });
    admin.on('error', () => undefined);
    try {
      const common = { url: server.url, prefix, concurrency: 4, visibilityTimeout: 5_000 };
      workers.push(await startWorkerProcess({ ...common, name: 'a' }), await startWorkerProcess({ ...common, name: 'b' }));

      // A producer that keeps enqueueing, and a waiter on every task it enqueued.
      const total = 150;
      const accepted: AsyncResult[] = [];
      const waits: Promise<unknown>[] = [];
      let crashed = false;
      const producing = (async () => {
        for (let n = 0; n < total; n++) {
          const result = await app.send('test.work', [n, 20]);
          accepted.push(result);
          waits.push(result.wait({ timeout: 60_000 }));
          if (n % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();

      // Crash Redis mid-run, with tasks waiting, running and finished, then bring it back.
      await until(async () => accepted.length >= 50 && Number(await admin.hlen(`{${prefix}}:test:runs`)) >= 10, 30_000, 'the run to get going');
      await server.kill();
      crashed = true;
      await server.restart();

      await producing;
      expect(crashed).toBe(true);
      expect(accepted).toHaveLength(total);
      const outcomes = (await Promise.all(waits)) as { n: number }[];
      expect(outcomes.map((o) => o.n)).toEqual(accepted.map((_, n) => n));
      const final = await records(app, accepted.map((r) => r.id));
      expect(final.filter((r) => r?.state !== 'SUCCESS')).toEqual([]);
      expect(await store.deadLetters()).toEqual([]);
      expect(await store.size('default')).toBe(0);
    } finally {
      await Promise.all(workers.map(stopWorkerProcess));
      await close();
      await admin.quit();
    }
  });
});
