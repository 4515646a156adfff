import type { TaskRecord } from '@celeriac/core';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisBackend } from '../src/index.js';
import { backendKeys } from '../src/internal/keys.js';
import { type TestRedis, deleteKeys, uniquePrefix, until, useCleanups, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

const cleanups = useCleanups();

function setUp() {
  const prefix = uniquePrefix('hub');
  const backend = new RedisBackend({ connection: server.url, prefix });
  cleanups.push(async () => {
    await backend.close();
    await deleteKeys(admin, prefix);
  });
  const channel = (id: string) => backendKeys(prefix).events(id);
  const subscribers = async (id: string) => Number(((await admin.pubsub('NUMSUB', channel(id))) as [string, number])[1]);
  return { backend, subscribers };
}

describe('the subscriber connection', () => {
  it('unsubscribes a channel nobody listens to any more, shortly after', async () => {
    const { backend, subscribers } = setUp();
    const stop = await backend.subscribe('task-1', () => undefined);
    expect(await subscribers('task-1')).toBe(1);
    stop();
    await until(async () => (await subscribers('task-1')) === 0, 2_000, 'the channel to be unsubscribed');
  });

  it('keeps a channel listened to again before its unsubscribe went out, and delivers its events', async () => {
    const { backend, subscribers } = setUp();
    await backend.apply({ id: 'task-2', task: 't.x', state: 'PENDING', attempt: 1, create: true });
    (await backend.subscribe('task-2', () => undefined))();
    const seen: TaskRecord[] = [];
    await backend.subscribe('task-2', (record) => seen.push(record));
    await new Promise((resolve) => setTimeout(resolve, 200)); // past the leave delay
    expect(await subscribers('task-2')).toBe(1);
    // Another process changes the record: the event must come over pub/sub.
    const other = new RedisBackend({ connection: server.url, prefix: backend.options.prefix });
    try {
      await other.apply({ id: 'task-2', state: 'STARTED' });
    } finally {
      await other.close();
    }
    await until(() => seen.some((r) => r.state === 'STARTED'), 2_000, 'the STARTED event');
  });
});
