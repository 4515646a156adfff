import type { TaskStore } from '@celeriac/core/adapter';
import { taskStoreConformance } from '@celeriac/core/testing';
import type { Redis } from 'ioredis';
import { createRedisStore } from '../src/index.js';
import { eachPartition, partitionInbox } from './helpers/partitions.js';
import { type TestRedis, deleteKeys, expireLeases, prefixRegistry, uniquePrefix, useRedisServer } from './helpers/redis.js';

// The whole TaskStore contract on a store spread over 3 partitions of one server: every id-routed
// step, the sweeping reserve, the merged admin API, and a peer store (another process) on the same
// partitions.

const PARTITIONS = 3;
let server: TestRedis;
let admin: Redis;
const { remember, prefixOf } = prefixRegistry();

useRedisServer((started, client) => {
  server = started;
  admin = client;
});

function partitionedStore(prefix: string, extra: Parameters<typeof createRedisStore>[0] = {}) {
  const store = createRedisStore({ connection: server.url, prefix, partitions: PARTITIONS, ...extra });
  return remember(store, prefix);
}

taskStoreConformance({
  name: `redis, ${PARTITIONS} partitions`,
  create: async () => partitionedStore(uniquePrefix('parts')),
  destroy: (store: TaskStore) => eachPartition(prefixOf(store), PARTITIONS, (p) => deleteKeys(admin, p)),
  createWithRetention: async (retention) => partitionedStore(uniquePrefix('partlists'), retention),
  injectRaw: async (store: TaskStore, queue: string, raw: string) => {
    await admin.rpush(partitionInbox(prefixOf(store), PARTITIONS, queue, raw), raw);
  },
  abandon: (store: TaskStore) => eachPartition(prefixOf(store), PARTITIONS, (p) => expireLeases(admin, p)),
  createPeer: async (store: TaskStore) => partitionedStore(prefixOf(store)),
});
