import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { brokerKeys } from '../src/internal/keys.js';
import { echoApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

const TASK = 'leases.echo';

describe('the leases zset', () => {
  it('stays in the skiplist encoding through one member that is no lease, which no expiry ever reclaims', async () => {
    const prefix = uniquePrefix('leases');
    const { store, echo, close } = echoApp({ connection: server.url, prefix }, TASK);
    const reserve = () => store.reserve({ queues: ['default'], tasks: [TASK], max: 10, waitMs: 1_000 });
    const leases = brokerKeys(prefix).leases;
    try {
      await echo.bulk([[1], [2], [3]]);
      const first = await reserve();
      expect(first).toHaveLength(3);
      // Three short members alone would be a listpack, searched by a linear scan.
      expect(await admin.object('ENCODING', leases)).toBe('skiplist');
      const members = await admin.zrange(leases, '0', '-1');
      const others = members.filter((m) => !/^\d+:/.test(m));
      expect(others).toHaveLength(1);
      const [encodingMember] = others as [string];
      expect(await admin.zscore(leases, encodingMember)).toBe('inf');

      // Every member expires at once, the encoding member too (as a clumsy hand might do it).
      await admin.zadd(leases, 'XX', ...members.flatMap((m) => ['0', m]));
      const second = await reserve();
      expect(second.map((d) => d.deliveries)).toEqual([2, 2, 2]);
      expect(second.map((d) => d.message.id).sort()).toEqual(first.map((d) => d.message.id).sort());
      expect(await admin.zscore(leases, encodingMember)).toBe('inf');
      expect(await admin.zcard(leases)).toBe(4);
    } finally {
      await close();
      await deleteKeys(admin, prefix);
    }
  });
});
