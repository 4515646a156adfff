import { makeMessage } from '@celeriac/core/testing';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { type TestRedis, deleteKeys, uniquePrefix, useCleanups, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

const cleanups = useCleanups();

/**
 * A store wakes its own waiting reserve when it sends an enqueue, and ignores that enqueue's echo.
 * When the enqueue's script is not loaded on the server (a restart, SCRIPT FLUSH, a node used for
 * the first time), Redis refuses it with NOSCRIPT and the store sends it again as EVAL: the reserve
 * the local wake-up started has run its look in between and found nothing. It must be woken again.
 */
it('wakes its own waiting reserve again when its enqueue had to be sent again after NOSCRIPT', async () => {
  const prefix = uniquePrefix('noscript');
  // No hand-off: the enqueue would lease the message to the parked reserve itself.
  const store = createRedisStore({ connection: server.url, prefix, tuning: { handOff: false } });
  cleanups.push(async () => {
    await store.close();
    await deleteKeys(admin, prefix);
  });
  const request = { queues: ['default'], tasks: ['test.noop'], max: 1 } as const;
  // Loads the reserve's script and subscribes to the queue's wake-ups, then the enqueue's script goes.
  expect(await store.reserve({ ...request, waitMs: 300 })).toEqual([]);
  await admin.script('FLUSH');
  expect(await store.reserve({ ...request, waitMs: 100 })).toEqual([]);

  const started = Date.now();
  const waiting = store.reserve({ ...request, waitMs: 4_000 });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const message = makeMessage({ task: 'test.noop' });
  await store.enqueue([message], { freshIds: true });
  const taken = await waiting;
  expect(taken.map((d) => d.message.id)).toEqual([message.id]);
  expect(Date.now() - started).toBeLessThan(2_000);
});
