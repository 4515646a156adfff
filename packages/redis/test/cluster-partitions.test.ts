import type { TaskStore } from '@celeriac/core/adapter';
import { taskStoreConformance } from '@celeriac/core/testing';
import type { RedisCluster } from '@celeriac/test-support';
import { type Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { brokerKeys, backendKeys } from '../src/internal/keys.js';
import { partitionPrefixes } from '../src/internal/partition-tags.js';
import { redisApp } from './helpers/apps.js';
import { deleteClusterKeys, expireClusterLeases, startupNodes, useRedisCluster } from './helpers/cluster.js';
import { eachPartition, mastersOfPartitions, partitionInbox } from './helpers/partitions.js';
import { prefixRegistry, uniquePrefix } from './helpers/redis.js';
import { type WorkerProcess, startWorkerProcess, stopWorkerProcess } from './helpers/worker-process.js';

// A queue spread over 3 partitions on a real Redis Cluster (3 masters, 3 replicas): the whole
// TaskStore contract, and a workload run by worker processes that lands on all three masters.

const PARTITIONS = 3;
let cluster: RedisCluster;
let admin: Cluster;
const { remember, prefixOf } = prefixRegistry();

useRedisCluster((started, client) => {
  cluster = started;
  admin = client;
});

function partitionedStore(prefix: string, extra: Parameters<typeof createRedisStore>[0] = {}) {
  const store = createRedisStore({ connection: { cluster: startupNodes(cluster.nodes) }, prefix, partitions: PARTITIONS, ...extra });
  return remember(store, prefix);
}

const deletePartitions = (prefix: string) => eachPartition(prefix, PARTITIONS, (p) => deleteClusterKeys(admin, p));

taskStoreConformance({
  name: `redis cluster, ${PARTITIONS} partitions`,
  create: async () => partitionedStore(uniquePrefix('cparts')),
  destroy: (store: TaskStore) => deletePartitions(prefixOf(store)),
  createWithRetention: async (retention) => partitionedStore(uniquePrefix('cpartlists'), retention),
  injectRaw: async (store: TaskStore, queue: string, raw: string) => {
    await admin.rpush(partitionInbox(prefixOf(store), PARTITIONS, queue, raw), raw);
  },
  abandon: (store: TaskStore) => eachPartition(prefixOf(store), PARTITIONS, (p) => expireClusterLeases(admin, p)),
  createPeer: async (store: TaskStore) => partitionedStore(prefixOf(store)),
});

/** The script calls each master has served so far (INFO commandstats: EVALSHA and EVAL). */
async function scriptCallsPerMaster(masters: readonly string[]): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const address of masters) {
    const [host, port] = address.split(':');
    const node = new Redis(Number(port), host as string);
    try {
      const info = await node.info('commandstats');
      const count = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
      calls.set(address, count('evalsha') + count('eval'));
    } finally {
      node.disconnect();
    }
  }
  return calls;
}

describe('a partitioned queue on a Redis Cluster', () => {
  const workers: WorkerProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map(stopWorkerProcess));
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('puts its 3 partitions on the 3 masters; tasks produced here and run by worker processes land on all three, all succeed, every waiter settles', { timeout: 180_000 }, async () => {
    const prefix = uniquePrefix('cspread');
    cleanups.push(() => deletePartitions(prefix));
    const masters = await mastersOfPartitions(admin, prefix, PARTITIONS);
    expect(new Set(masters).size).toBe(3); // CLUSTER KEYSLOT of each partition's tag, in CLUSTER NODES' ranges

    const producer = redisApp({ connection: { cluster: startupNodes([cluster.nodes[0] as (typeof cluster.nodes)[number]]) }, prefix, partitions: PARTITIONS });
    cleanups.unshift(producer.close);
    const connection = { cluster: startupNodes(cluster.nodes) };
    for (const name of ['w1', 'w2']) workers.push(await startWorkerProcess({ fixture: 'topology', connection, prefix, partitions: PARTITIONS, name, concurrency: 8 }, 60_000));

    const before = await scriptCallsPerMaster(masters);
    const results = await Promise.all(Array.from({ length: 90 }, (_, n) => producer.app.send('test.echo', [n, 2])));
    const outcomes = (await Promise.all(results.map((r) => r.wait({ timeout: 60_000 })))) as { n: number; worker: string }[];
    const after = await scriptCallsPerMaster(masters);

    expect(outcomes.map((o) => o.n)).toEqual(Array.from({ length: 90 }, (_, n) => n));
    expect(new Set(outcomes.map((o) => o.worker))).toEqual(new Set(['w1', 'w2']));
    const records = await Promise.all(results.map((r) => producer.store.get(r.id)));
    expect(records.every((r) => r?.state === 'SUCCESS')).toBe(true);
    // Each partition, on its own master, finished a share of the tasks, and each master ran scripts for them.
    const tags = partitionPrefixes(prefix, PARTITIONS);
    const finished = await Promise.all(tags.map((tag) => admin.llen(backendKeys(tag).taskLists[0])));
    expect(finished.reduce((a, b) => a + b, 0)).toBe(90);
    for (const count of finished) expect(count).toBeGreaterThanOrEqual(10);
    for (const master of masters) expect((after.get(master) ?? 0) - (before.get(master) ?? 0)).toBeGreaterThanOrEqual(10);
    // Nothing waits or runs any more in any partition.
    for (const tag of tags) expect(await admin.zcard(brokerKeys(tag).leases)).toBeLessThanOrEqual(1);
    expect(await producer.store.size('default')).toBe(0);
  });
});
