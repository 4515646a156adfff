import { TaskStates } from '@celeriac/core';
import { Redis } from 'ioredis';
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
function openApp(prefix: string, generateId?: () => string) {
  const { app, store, close } = redisApp({ connection: server.url, prefix }, generateId === undefined ? {} : { generateId });
  const echo = app.task({ name: 'fresh.echo' }, (x: number) => x);
  return { app, echo, store, close: () => close().then(() => deleteKeys(admin, prefix)) };
}

/** Every record event published under `prefix`, as `<id> <state> <seq>`, in order. */
async function watchEvents(prefix: string) {
  const subscriber = new Redis(server.url);
  const seen: string[] = [];
  subscriber.on('pmessage', (_pattern: string, _channel: string, message: string) => {
    const record = JSON.parse(message) as { id: string; state: string; seq: number };
    seen.push(`${record.id} ${record.state} ${record.seq}`);
  });
  await subscriber.psubscribe(backendKeys(prefix).events('*'));
  return { seen, close: () => subscriber.disconnect() };
}

describe('ids the app generates are fresh: nothing to check, no one to tell', () => {
  it('announces PENDING only for a caller-chosen id, yet both read as PENDING at seq 1 and run through', async () => {
    const prefix = uniquePrefix('fresh');
    const { app, echo, store, close } = openApp(prefix);
    const events = await watchEvents(prefix);
    try {
      const generated = await echo.delay(1);
      const [bulkOne, bulkTwo] = await echo.bulk([[2], [3]]);
      const chosen = await echo.applyAsync([4], { taskId: 'fresh-chosen' });
      for (const result of [generated, bulkOne, bulkTwo, chosen]) {
        expect(await store.get(result?.id as string)).toMatchObject({ state: TaskStates.PENDING, seq: 1 });
      }
      await app.worker({ concurrency: 4 }).start();
      expect(await generated.wait({ timeout: 5_000 })).toBe(1);
      expect(await bulkTwo?.wait({ timeout: 5_000 })).toBe(3);
      expect(await chosen.wait({ timeout: 5_000 })).toBe(4);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the last events' way to the subscriber
      // Every change after creation is announced for all of them; PENDING only for the chosen id.
      expect(events.seen.filter((e) => e.endsWith(' PENDING 1'))).toEqual(['fresh-chosen PENDING 1']);
      for (const id of [generated.id, bulkOne?.id, chosen.id]) {
        expect(events.seen.filter((e) => e.startsWith(`${id} `))).toEqual(expect.arrayContaining([`${id} STARTED 2`, `${id} SUCCESS 3`]));
      }
    } finally {
      events.close();
      await close();
    }
  });

  it('still checks the ids of a custom generateId: a repeat is refused and leaves the first task alone', async () => {
    const prefix = uniquePrefix('fresh');
    const { echo, store, close } = openApp(prefix, () => 'fresh-fixed');
    try {
      const first = await echo.delay(1);
      expect(first.id).toBe('fresh-fixed');
      await expect(echo.delay(2)).rejects.toThrow(/"fresh-fixed" is already in use/);
      await expect(echo.bulk([[3], [4]])).rejects.toThrow(/already in use/);
      expect(await store.size('default')).toBe(1);
      expect(await store.get('fresh-fixed')).toMatchObject({ state: TaskStates.PENDING, seq: 1 });
    } finally {
      await close();
    }
  });
});
