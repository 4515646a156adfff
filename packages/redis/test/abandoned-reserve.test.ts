import { type CombinedStore, TaskStates } from '@celeriac/core';
import type { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

const TASK = 'abandoned.echo';

describe('a reserve whose caller gave up before its reply', () => {
  it('hands its tasks back with their STARTED undone: PENDING again, then reserved as a first delivery', async () => {
    const prefix = uniquePrefix('abandoned');
    const { app, stores, close } = redisApp({ connection: server.url, prefix });
    const echo = app.task({ name: TASK }, (x: number) => x);
    const combined = stores.broker.combinedWith(stores.backend) as Required<CombinedStore>;
    const request = { queues: ['default'], tasks: [TASK], max: 1, waitMs: 1_000 };
    try {
      const { id } = await echo.delay(1);
      // Redis holds every other client's commands for a moment: the reserve goes out, and its
      // reply can only come after its caller gave up (as a worker shutting down does).
      await admin.client('PAUSE', 300, 'ALL');
      const controller = new AbortController();
      const reserving = combined.reserveStarted({ ...request, signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort();
      expect(await reserving).toEqual([]);

      // Once the pause ends the reserve runs (STARTED, seq 2); its taker is gone, so the record
      // goes back to PENDING (seq 3) and the message back to its queue.
      await vi.waitFor(async () => expect(await stores.broker.size('default')).toBe(1), { timeout: 3_000 });
      const record = await stores.backend.get(id);
      expect(record).toMatchObject({ state: TaskStates.PENDING, seq: 3, meta: { reason: 'handed back before it ran' } });

      // A hand-back does not count as a delivery; the next taker starts it afresh.
      const [again] = await combined.reserveStarted(request);
      expect(again?.message.id).toBe(id);
      expect(again?.deliveries).toBe(1);
      expect(again?.started).toMatchObject({ applied: true, record: { state: TaskStates.STARTED, seq: 4 } });
    } finally {
      await close();
      await deleteKeys(admin, prefix);
    }
  });

  it('is waited for by close(): the tasks it took are back in their queue once the broker has closed', async () => {
    const prefix = uniquePrefix('abandoned-close');
    const { app, stores, close } = redisApp({ connection: server.url, prefix });
    const echo = app.task({ name: TASK }, (x: number) => x);
    const combined = stores.broker.combinedWith(stores.backend) as Required<CombinedStore>;
    const reader = redisApp({ connection: server.url, prefix });
    try {
      await echo.delay(1);
      await admin.client('PAUSE', 300, 'ALL');
      const controller = new AbortController();
      const reserving = combined.reserveStarted({ queues: ['default'], tasks: [TASK], max: 1, waitMs: 1_000, signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort();
      expect(await reserving).toEqual([]);
      // Closed while the reserve still waits for Redis: close() lets its late delivery go back first.
      await close();
      expect(await reader.stores.broker.size('default')).toBe(1);
    } finally {
      await reader.close();
      await deleteKeys(admin, prefix);
    }
  });
});
