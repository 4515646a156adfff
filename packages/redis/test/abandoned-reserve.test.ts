import { TaskStates, type TaskStore } from '@celeriac/core';
import type { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { echoApp, redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

const TASK = 'abandoned.echo';
const REQUEST = { queues: ['default'], tasks: [TASK], max: 1, waitMs: 1_000 };

/**
 * Starts a reserve and gives up on it while Redis holds every other client's commands (CLIENT
 * PAUSE): the call goes out, and its reply can only come after its caller left, as at a worker's
 * shutdown.
 */
async function abandonReserve(store: TaskStore): Promise<void> {
  await admin.client('PAUSE', 300, 'ALL');
  const controller = new AbortController();
  const reserving = store.reserve({ ...REQUEST, signal: controller.signal });
  await new Promise((resolve) => setTimeout(resolve, 50));
  controller.abort();
  expect(await reserving).toEqual([]);
}

describe('a reserve whose caller gave up before its reply', () => {
  it('hands its tasks back with their STARTED undone: PENDING again, then reserved as a first delivery', async () => {
    const prefix = uniquePrefix('abandoned');
    const { store, echo, close } = echoApp({ connection: server.url, prefix }, TASK);
    try {
      const { id } = await echo.delay(1);
      await abandonReserve(store);

      // Once the pause ends the reserve runs (STARTED, seq 2); its taker is gone, so the record
      // goes back to PENDING (seq 3) and the message back to its queue.
      await vi.waitFor(async () => expect(await store.size('default')).toBe(1), { timeout: 3_000 });
      const record = await store.get(id);
      expect(record).toMatchObject({ state: TaskStates.PENDING, seq: 3, meta: { reason: 'handed back before it ran' } });

      // A hand-back does not count as a delivery; the next taker starts it afresh.
      const [again] = await store.reserve(REQUEST);
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
    const { store, echo, close } = echoApp({ connection: server.url, prefix }, TASK);
    const reader = redisApp({ connection: server.url, prefix });
    try {
      await echo.delay(1);
      await abandonReserve(store);
      // Closed while the reserve still waits for Redis: close() lets its late delivery go back first.
      await close();
      expect(await reader.store.size('default')).toBe(1);
    } finally {
      await close(); // idempotent: already closed unless an assertion above failed
      await reader.close();
      await deleteKeys(admin, prefix);
    }
  });
});
