import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { StartedDelivery } from '@celeriac/core/adapter';
import { DEFAULT_REDIS_STORE_OPTIONS, createRedisStore } from '../src/index.js';
import { BrokerScripts } from '../src/internal/broker-scripts.js';
import { backendKeys, brokerKeys } from '../src/internal/keys.js';
import { applyArgs, updateSourcesArg } from '../src/internal/record-codec.js';
import { type TestRedis, deleteKeys, uniquePrefix, useCleanups, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});
const cleanups = useCleanups();

async function storeWith(tasks: number) {
  const prefix = uniquePrefix('fence');
  const store = createRedisStore({ connection: server.url, prefix });
  cleanups.push(async () => {
    await store.close();
    await deleteKeys(admin, prefix);
  });
  const ids = Array.from({ length: tasks }, (_, n) => `fence-${n}`);
  await store.enqueue(ids.map((id) => ({ id, task: 'test.noop', queue: 'default', args: [], attempt: 1, priority: 0, createdAt: Date.now() })));
  const deliveries = await store.reserve({ queues: ['default'], tasks: ['test.noop'], max: tasks, waitMs: 0 });
  expect(deliveries).toHaveLength(tasks);
  return { store, deliveries, prefix, leases: brokerKeys(prefix).leases };
}

const success = (d: StartedDelivery) => ({ id: d.message.id, task: 'test.noop', state: 'SUCCESS' as const, attempt: 1, result: d.message.id });

describe('fencing on the short settle paths', () => {
  it('a batch of one shape with one lease expired: the others are stored and acked, that one refused and left leased', async () => {
    const { store, deliveries, leases } = await storeWith(4);
    const lost = deliveries[2] as StartedDelivery;
    await admin.zadd(leases, 'XX', '1', lost.receipt);
    const outcomes = await Promise.all(deliveries.map((d) => store.settle(d, success(d))));
    expect(outcomes.map((o) => o.applied)).toEqual([true, true, false, true]);
    expect(outcomes[2]).toMatchObject({ applied: false, leaseLost: true, current: { state: 'STARTED', seq: 2 } });
    expect(await store.get(lost.message.id)).toMatchObject({ state: 'STARTED', seq: 2 });
    // Not acked: the next reserve reclaims it and delivers it again.
    expect(await admin.zscore(leases, lost.receipt)).toBe('1');
    const [again] = await store.reserve({ queues: ['default'], tasks: ['test.noop'], max: 10, waitMs: 0 });
    expect(again).toMatchObject({ message: { id: lost.message.id }, deliveries: 2 });
  });

  it('a lone settle whose lease expired is refused', async () => {
    const { store, deliveries, leases } = await storeWith(1);
    const [delivery] = deliveries as [StartedDelivery];
    await admin.zadd(leases, 'XX', '1', delivery.receipt);
    expect(await store.settle(delivery, success(delivery))).toMatchObject({ applied: false, leaseLost: true });
    expect(await store.get(delivery.message.id)).toMatchObject({ state: 'STARTED' });
  });

  for (const size of [1, 3]) {
    it(`a settle of ${size} resent after its first run removed the leases still gets its first answer, not "lease lost"`, async () => {
      const { store, deliveries, prefix } = await storeWith(size);
      const keys = backendKeys(prefix);
      const items = deliveries.map((d) => {
        const update = success(d);
        return { update, sources: updateSourcesArg(update) as string, member: d.receipt, next: undefined };
      });
      // The exact call the store makes, sent twice as ioredis resends a call whose reply was lost.
      const args = [keys.recordPrefix, keys.eventPrefix, 60_000, ...applyArgs(items)];
      const scripts = new BrokerScripts(admin, brokerKeys(prefix), backendKeys(prefix), DEFAULT_REDIS_STORE_OPTIONS);
      const first = (await scripts.settle(args, items)) as unknown[];
      expect(first.slice(1)).toEqual(items.map(() => 3));
      const resent = (await scripts.settle(args, items)) as unknown[];
      expect(resent.slice(1)).toEqual(first.slice(1));
      for (const d of deliveries) expect(await store.get(d.message.id)).toMatchObject({ state: 'SUCCESS', seq: 3 });
    });
  }

  it('a heartbeat does not revive an expired lease', async () => {
    const { store, deliveries, leases, prefix } = await storeWith(1);
    const [delivery] = deliveries as [StartedDelivery];
    await admin.zadd(leases, 'XX', '1', delivery.receipt);
    const held = (await admin.zrange(leases, '0', '-1')).filter((m) => m !== delivery.receipt && /^\d+:/.test(m));
    expect(held).toEqual([]);
    // The store's own heartbeat call, as LeaseKeeper makes it.
    const scripts = new BrokerScripts(admin, brokerKeys(prefix), backendKeys(prefix), DEFAULT_REDIS_STORE_OPTIONS);
    expect(await scripts.extendLeases(60_000, [delivery.receipt])).toBe(0);
    expect(await admin.zscore(leases, delivery.receipt)).toBe('1');
    expect(await store.settle(delivery, success(delivery))).toMatchObject({ applied: false, leaseLost: true });
  });
});
