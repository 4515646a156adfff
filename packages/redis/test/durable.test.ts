import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { NotReplicatedError } from '../src/index.js';
import { redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, useRedisServer } from './helpers/redis.js';

// The `durable` option on a server with no replica: no enqueue can be confirmed. (Confirmed ones,
// and a failover that loses none of them, are in cluster-failover.test.ts and sentinel.test.ts.)

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

describe('durable enqueues', () => {
  it('reject with NotReplicatedError when no replica confirms them in time; the tasks are stored all the same', async () => {
    const prefix = uniquePrefix('durable');
    const { app, close } = redisApp({ connection: server.url, prefix, durable: { replicas: 1, timeout: 200 } });
    try {
      const id = 'durable-1';
      const error = await app.send('test.echo', [1], { taskId: id }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotReplicatedError);
      expect(error).toMatchObject({ code: 'NOT_REPLICATED', required: 1, acknowledged: 0, timeoutMs: 200 });
      expect((error as Error).message).toContain('0 of 1 replicas confirmed it within 200 ms');
      // Not undone: the task waits on the master, as its record says.
      expect((await app.result(id).refresh()).record?.state).toBe('PENDING');
    } finally {
      await close();
      await deleteKeys(admin, prefix);
    }
  });
});
