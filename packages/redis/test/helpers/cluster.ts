import { type RedisCluster, type RedisClusterNode, startRedisCluster } from '@celeriac/test-support';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { brokerKeys } from '../../src/internal/keys.js';
import { deleteKeys } from './redis.js';

/** What ioredis takes as a cluster's start-up nodes. */
export function startupNodes(nodes: readonly RedisClusterNode[]): { host: string; port: number }[] {
  return nodes.map(({ host, port }) => ({ host, port }));
}

/** An admin client of the whole cluster (the test's own, for checks and clean-up). */
export function clusterAdmin(cluster: RedisCluster): Cluster {
  return new Cluster(startupNodes(cluster.nodes), { retryDelayOnFailover: 200, maxRedirections: 300 });
}

/**
 * A Redis Cluster (3 masters, 3 replicas) for this test file, started before its tests and
 * stopped after them, with an admin client.
 */
export function useRedisCluster(ready: (cluster: RedisCluster, admin: Cluster) => void): void {
  let cluster: RedisCluster | undefined;
  let admin: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    admin = clusterAdmin(cluster);
    ready(cluster, admin);
  }, 180_000);
  afterAll(async () => {
    await admin?.quit().catch(() => admin?.disconnect());
    await cluster?.stop();
  });
}

/** Deletes every key of a prefix: they share one slot, so one master holds them all; each master is asked. */
export async function deleteClusterKeys(admin: Cluster, prefix: string): Promise<void> {
  if (admin.status !== 'ready') await new Promise((resolve) => admin.once('ready', resolve));
  for (const node of admin.nodes('master')) await deleteKeys(node, prefix);
}

/** Ends every lease of a prefix now, as if their holders had died. */
export async function expireClusterLeases(admin: Cluster, prefix: string): Promise<void> {
  const leases = brokerKeys(prefix).leases;
  const members = (await admin.zrange(leases, '0', '-1')).filter((m) => /^\d+:/.test(m));
  if (members.length > 0) await admin.zadd(leases, 'XX', ...members.flatMap((m) => ['0', m]));
}
