import type { TaskStore } from '@celeriac/core/adapter';
import { taskStoreConformance } from '@celeriac/core/testing';
import type { RedisCluster } from '@celeriac/test-support';
import type { Cluster } from 'ioredis';
import { createRedisStore } from '../src/index.js';
import { brokerKeys } from '../src/internal/keys.js';
import { deleteClusterKeys, expireClusterLeases, startupNodes, useRedisCluster } from './helpers/cluster.js';
import { prefixRegistry, uniquePrefix } from './helpers/redis.js';

// The whole TaskStore contract on a real Redis Cluster (3 masters, 3 replicas): every store is its
// own cluster client (connection: { cluster: [...] }), so events go over sharded pub/sub, scripts
// run in their cluster form (SPUBLISH, no listener counts), and a peer store hears what another did.

let cluster: RedisCluster;
let admin: Cluster;
const { remember, prefixOf } = prefixRegistry();

useRedisCluster((started, client) => {
  cluster = started;
  admin = client;
});

function clusterStore(prefix: string, extra: Parameters<typeof createRedisStore>[0] = {}) {
  const store = createRedisStore({ connection: { cluster: startupNodes(cluster.nodes) }, prefix, ...extra });
  return remember(store, prefix);
}

taskStoreConformance({
  name: 'redis cluster',
  create: async () => clusterStore(uniquePrefix('cstore')),
  destroy: async (store: TaskStore) => deleteClusterKeys(admin, prefixOf(store)),
  createWithRetention: async (retention) => clusterStore(uniquePrefix('clists'), retention),
  injectRaw: async (store: TaskStore, queue: string, raw: string) => {
    await admin.rpush(brokerKeys(prefixOf(store)).inbox(queue), raw);
  },
  abandon: (store: TaskStore) => expireClusterLeases(admin, prefixOf(store)),
  createPeer: async (store: TaskStore) => clusterStore(prefixOf(store)),
});
