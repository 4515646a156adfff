import type { TaskRecord } from '@celeriac/core';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
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
  const backend = createRedisStore({ connection: server.url, prefix });
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
    const other = createRedisStore({ connection: server.url, prefix: backend.options.prefix });
    try {
      await other.apply({ id: 'task-2', state: 'STARTED' });
    } finally {
      await other.close();
    }
    await until(() => seen.some((r) => r.state === 'STARTED'), 2_000, 'the STARTED event');
  });
});

describe('the follow channel', () => {
  const followers = async (prefix: string) => Number(((await admin.pubsub('NUMSUB', backendKeys(prefix).followChannel)) as [string, number])[1]);

  it('is subscribed while any task is followed, and left with the last one', async () => {
    const { backend, subscribers } = setUp();
    const prefix = backend.options.prefix;
    expect(await followers(prefix)).toBe(0);
    const stopA = await backend.subscribe('task-a', () => undefined);
    const stopB = await backend.subscribe('task-b', () => undefined);
    expect(await followers(prefix)).toBe(1);
    stopA();
    await until(async () => (await subscribers('task-a')) === 0, 2_000, 'task-a to be unsubscribed');
    expect(await followers(prefix)).toBe(1);
    stopB();
    await until(async () => (await followers(prefix)) === 0, 2_000, 'the follow channel to be left');
    expect(await subscribers('task-b')).toBe(0);
  });

  it('is subscribed again after the subscriber connection drops, before its tasks', async () => {
    const { backend, subscribers } = setUp();
    const prefix = backend.options.prefix;
    await backend.subscribe('task-c', () => undefined);
    await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await until(async () => (await subscribers('task-c')) === 1, 5_000, 'task-c to be subscribed again');
    expect(await followers(prefix)).toBe(1);
  });

  it('stays while other tasks are followed when a task named like it leaves', async () => {
    const { backend } = setUp();
    const prefix = backend.options.prefix;
    const stopStar = await backend.subscribe('*', () => undefined);
    await backend.subscribe('task-d', () => undefined);
    stopStar();
    await new Promise((resolve) => setTimeout(resolve, 200)); // past the leave delay
    expect(await followers(prefix)).toBe(1);
  });

  it('tells the scripts whether to ask each task of a batch: a channel off it is heard only while someone follows', async () => {
    const { backend } = setUp();
    const prefix = backend.options.prefix;
    const ids = ['e-1', 'e-2', 'e-3'];
    await Promise.all(ids.map((id) => backend.apply({ id, task: 't.x', state: 'PENDING', attempt: 1, create: true })));
    // A raw subscriber of e-3's channel alone, off the follow channel.
    const raw = admin.duplicate();
    cleanups.push(async () => raw.disconnect());
    const heardRaw: string[] = [];
    raw.on('message', (_channel: string, message: string) => heardRaw.push((JSON.parse(message) as TaskRecord).state));
    await raw.subscribe(backendKeys(prefix).events('e-3'));
    // Applied in one tick, one script call for the three: nobody follows, so no channel is asked.
    expect((await Promise.all(ids.map((id) => backend.apply({ id, state: 'STARTED' })))).every((r) => r.applied)).toBe(true);
    // A follower in another process, through its backend, so on the follow channel too.
    const follower = createRedisStore({ connection: server.url, prefix });
    cleanups.push(() => follower.close());
    const seen: string[] = [];
    await follower.subscribe('e-2', (record) => seen.push(record.state));
    expect((await Promise.all(ids.map((id) => backend.apply({ id, state: 'SUCCESS', result: 1 })))).every((r) => r.applied)).toBe(true);
    await until(() => seen.includes('SUCCESS') && heardRaw.length > 0, 2_000, 'the SUCCESS events of e-2 and e-3');
    expect(heardRaw).toEqual(['SUCCESS']);
  });
});
