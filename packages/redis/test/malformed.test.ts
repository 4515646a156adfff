import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { brokerKeys } from '../src/internal/keys.js';
import { redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, until, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

describe('malformed messages in Redis', () => {
  it('go to the dead-letter queue with their reason while a running worker goes on with the next task', { timeout: 30_000 }, async () => {
    const prefix = uniquePrefix('bad');
    const { app, store, close } = redisApp({ connection: server.url, prefix });
    try {
      const echo = app.task({ name: 'bad.echo' }, (value: number) => value * 2);
      const worker = app.worker({ concurrency: 2 });
      await worker.start();
      const keys = brokerKeys(prefix);

      // Raw strings pushed straight into the queue by a foreign producer...
      await admin.rpush(keys.inbox('default'), '{"id": "half', JSON.stringify({ id: 'no-args', task: 'bad.echo', queue: 'default', priority: 0, attempt: 1, createdAt: 1 }));
      // ...and a stored message whose body was overwritten with garbage before any worker took it.
      const victimId = 'corrupted-1';
      await store.publish([{ id: victimId, task: 'bad.echo', args: [1], queue: 'default', priority: 9, eta: Date.now() + 60_000, attempt: 1, createdAt: Date.now() }]);
      await admin.hset(keys.body, victimId, '[1, 2');
      await admin.zadd(keys.delayed('default'), 0, victimId); // due now

      const results = await Promise.all([1, 2, 3].map((n) => echo.delay(n)));
      expect(await Promise.all(results.map((r) => r.wait({ timeout: 10_000 })))).toEqual([2, 4, 6]);

      await until(async () => (await store.deadLetters()).length === 3, 10_000, 'three dead letters');
      const dead = await store.deadLetters();
      const byId = new Map(dead.map((d) => [d.id, d]));
      expect(byId.get(victimId)).toMatchObject({ queue: 'default', raw: '[1, 2', reason: expect.stringMatching(/JSON/) });
      const raw = dead.filter((d) => d.id !== victimId).sort((a, b) => a.raw.length - b.raw.length);
      expect(raw[0]).toMatchObject({ queue: 'default', raw: '{"id": "half', reason: expect.stringMatching(/not valid JSON/) });
      expect(raw[1]).toMatchObject({ queue: 'default', reason: expect.stringMatching(/"args" must be an array/) });
      expect(await store.size('default')).toBe(0);
    } finally {
      await close();
      await deleteKeys(admin, prefix);
    }
  });
});
