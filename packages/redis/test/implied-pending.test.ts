import { TaskStates } from '@celeriac/core';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { backendKeys } from '../src/internal/keys.js';
import { redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

/** An app on a fresh Redis store with one task, `echo`; `close` tidies everything up. */
function openApp(prefix: string, resultTtl?: number) {
  const { app, store, close } = redisApp({ connection: server.url, prefix, ...(resultTtl === undefined ? {} : { resultTtl }) });
  const echo = app.task({ name: 'implied.echo' }, (x: number) => x);
  return { app, echo, store, close: () => close().then(() => deleteKeys(admin, prefix)) };
}

describe('a waiting message implies its PENDING record', () => {
  it('enqueueing writes no record key, yet the task reads as PENDING at seq 1 and its PENDING event is published', async () => {
    const prefix = uniquePrefix('implied');
    const { echo, store, close } = openApp(prefix);
    try {
      const before = Date.now();
      const result = await echo.applyAsync([1], { taskId: 'implied-1' });
      expect(result.state).toBe(TaskStates.PENDING);
      expect(await admin.exists(backendKeys(prefix).record('implied-1'))).toBe(0);
      const record = await store.get('implied-1');
      expect(record).toMatchObject({ id: 'implied-1', task: 'implied.echo', state: TaskStates.PENDING, seq: 1, attempt: 1 });
      expect(record?.updatedAt).toBeGreaterThanOrEqual(before);
      expect(record?.updatedAt).toBeLessThanOrEqual(Date.now());
      // An id whose message waits is in use, though it has no record.
      await expect(echo.applyAsync([2], { taskId: 'implied-1' })).rejects.toThrow(/already in use/);
    } finally {
      await close();
    }
  });

  it('the first real update moves on from the implied PENDING: a revoke stores REVOKED at seq 2', async () => {
    const prefix = uniquePrefix('implied');
    const { app, echo, store, close } = openApp(prefix);
    try {
      const result = await echo.applyAsync([1], { taskId: 'implied-2' });
      expect(await app.revoke(result.id)).toBe('revoked');
      expect(await store.get('implied-2')).toMatchObject({ state: TaskStates.REVOKED, seq: 2 });
      expect(await store.size('default')).toBe(0);
    } finally {
      await close();
    }
  });

  it('a task delayed past the result TTL still runs when due (its PENDING cannot expire while it waits)', async () => {
    const prefix = uniquePrefix('implied');
    const { app, echo, close } = openApp(prefix, 100);
    try {
      const result = await echo.applyAsync([7], { countdown: 400 });
      const worker = app.worker({ concurrency: 1 });
      await worker.start();
      expect(await result.wait({ timeout: 5_000 })).toBe(7);
      expect(result.state).toBe(TaskStates.SUCCESS);
      // STARTED was seq 2, SUCCESS seq 3: nothing was written before the task moved on.
      expect((await result.refresh()).state).toBe(TaskStates.SUCCESS);
    } finally {
      await close();
    }
  });
});
