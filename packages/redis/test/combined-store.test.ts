import { TaskStates } from '@celeriac/core';
import { makeMessage } from '@celeriac/core/testing';
import { MemoryBackend } from '@celeriac/memory';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisBackend, RedisBroker, createRedisStores } from '../src/index.js';
import { type TestRedis, deleteKeys, uniquePrefix, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

describe('RedisBroker.combinedWith', () => {
  it('combines only with a RedisBackend on the same connection and prefix', async () => {
    const prefix = uniquePrefix('partner');
    const given = new Redis(server.url);
    const paired = createRedisStores({ connection: server.url, prefix });
    const sameInstance = { broker: new RedisBroker({ connection: given, prefix }), backend: new RedisBackend({ connection: given, prefix }) };
    const otherPrefix = new RedisBackend({ connection: given, prefix: `${prefix}-other` });
    const otherConnection = new RedisBackend({ connection: server.url, prefix });
    const memory = new MemoryBackend();
    try {
      expect(paired.broker.combinedWith(paired.backend)).toBeDefined();
      expect(paired.broker.combinedWith(paired.backend)).toBe(paired.broker.combinedWith(paired.backend));
      expect(sameInstance.broker.combinedWith(sameInstance.backend)).toBeDefined();
      expect(sameInstance.broker.combinedWith(otherPrefix)).toBeUndefined();
      expect(paired.broker.combinedWith(otherConnection)).toBeUndefined();
      expect(paired.broker.combinedWith(memory)).toBeUndefined();
    } finally {
      await Promise.all([paired.broker.close(), paired.backend.close(), sameInstance.broker.close(), sameInstance.backend.close(), otherPrefix.close(), otherConnection.close(), memory.close()]);
      await deleteKeys(admin, prefix);
      await given.quit();
    }
  });

  it('batches enqueues of one tick into one script call, each call all or nothing on its own', async () => {
    const prefix = uniquePrefix('groups');
    const { broker, backend } = createRedisStores({ connection: server.url, prefix });
    const store = broker.combinedWith(backend);
    if (store === undefined) throw new Error('expected a combined store');
    try {
      const shared = makeMessage();
      const [first, clash, alone] = await Promise.all([
        store.enqueue([shared]),
        store.enqueue([makeMessage(), { ...shared }]), // same id as the first call: refused whole
        store.enqueue([makeMessage()]),
      ]);
      expect(first.map((r) => r.applied)).toEqual([true]);
      expect(clash.map((r) => r.applied)).toEqual([false, false]);
      expect(alone.map((r) => r.applied)).toEqual([true]);
      expect(await broker.size('default')).toBe(2);
      expect((await backend.get(shared.id))?.state).toBe(TaskStates.PENDING);
    } finally {
      await Promise.all([broker.close(), backend.close()]);
      await deleteKeys(admin, prefix);
    }
  });
});
