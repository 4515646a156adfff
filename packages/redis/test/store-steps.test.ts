import { TaskStates } from '@celeriac/core';
import { makeMessage } from '@celeriac/core/testing';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { type TestRedis, deleteKeys, uniquePrefix, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

describe('RedisStore steps', () => {
  it('batches enqueues of one tick into one script call, each call all or nothing on its own', async () => {
    const prefix = uniquePrefix('groups');
    const store = createRedisStore({ connection: server.url, prefix });
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
      expect(await store.size('default')).toBe(2);
      expect((await store.get(shared.id))?.state).toBe(TaskStates.PENDING);
    } finally {
      await store.close();
      await deleteKeys(admin, prefix);
    }
  });
});
