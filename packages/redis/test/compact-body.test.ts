import { makeMessage } from '@celeriac/core/testing';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { type RedisStore, createRedisStore } from '../src/index.js';
import { brokerKeys } from '../src/internal/keys.js';
import { type TestRedis, deleteKeys, uniquePrefix, useCleanups, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});
const cleanups = useCleanups();

function openStore(): { store: RedisStore; prefix: string } {
  const prefix = uniquePrefix('compact');
  const store = createRedisStore({ connection: server.url, prefix });
  cleanups.push(async () => {
    await store.close();
    await deleteKeys(admin, prefix);
  });
  return { store, prefix };
}

describe('the compact stored message on Redis', () => {
  it('leaves out the id and the defaults, and a reserve gives the whole message back', async () => {
    const { store, prefix } = openStore();
    const plain = makeMessage({ args: [1, 'a'] });
    await store.enqueue([plain]);
    expect(await admin.hget(brokerKeys(prefix).body, plain.id)).toBe(`{"createdAt":${plain.createdAt},"task":"test.noop","args":[1,"a"]}`);
    const [d] = await store.reserve({ queues: ['default'], tasks: ['test.noop'], max: 1, waitMs: 0 });
    expect(d?.message).toEqual(plain);
    expect(d?.started).toMatchObject({ applied: true, record: { state: 'STARTED', attempt: 1 } });
  });

  it('keeps what differs from the defaults: attempt, queue, priority, expiry and workflow steps', async () => {
    const { store, prefix } = openStore();
    const message = makeMessage({
      queue: 'mail',
      priority: 7,
      attempt: 3,
      expires: Date.now() + 60_000,
      chain: [{ id: 'next-1', task: 'test.next', args: [2], queue: 'default', priority: 0, passResult: true }],
    });
    await store.enqueue([message]);
    const raw = (await admin.hget(brokerKeys(prefix).body, message.id)) as string;
    expect(raw).toMatch(/^\{"attempt":3,"createdAt":\d+,"queue":"mail","priority":7,"task":"test\.noop"/);
    expect(raw).not.toContain(message.id);
    expect(await store.get(message.id)).toMatchObject({ state: 'PENDING', attempt: 3 });
    const [d] = await store.reserve({ queues: ['mail'], tasks: ['test.noop'], max: 1, waitMs: 0 });
    expect(d?.message).toEqual(message);
    expect(d?.started).toMatchObject({ applied: true, record: { state: 'STARTED', attempt: 3 } });
  });

  it('gives the whole message to revoke, purge and the dead-letter queue', async () => {
    const { store } = openStore();
    const revoked = makeMessage();
    const purged = makeMessage({ queue: 'bulk' });
    const dead = makeMessage({ priority: 2 });
    await store.enqueue([revoked, purged, dead]);
    expect(await store.revoke(revoked.id)).toEqual(revoked);
    expect(await store.purgeQueue('bulk', 10)).toEqual([purged]);
    const [d] = await store.reserve({ queues: ['default'], tasks: ['test.noop'], max: 1, waitMs: 0 });
    if (d === undefined) throw new Error('nothing reserved');
    expect(d.message).toEqual(dead);
    await store.deadLetter(d, 'boom');
    const [letter] = await store.deadLetters();
    expect(letter).toMatchObject({ id: dead.id, reason: 'boom' });
    expect(JSON.parse(letter?.raw ?? 'null')).toEqual(dead);
    expect(await store.retryDeadLetter(dead.id)).toBe(true);
    const [again] = await store.reserve({ queues: ['default'], tasks: ['test.noop'], max: 1, waitMs: 0 });
    expect(again?.message).toEqual(dead);
  });
});
