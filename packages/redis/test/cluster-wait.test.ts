import type { RedisCluster, RedisClusterNode } from '@celeriac/test-support';
import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteClusterKeys, startupNodes, useRedisCluster } from './helpers/cluster.js';
import { redisApp } from './helpers/apps.js';
import { uniquePrefix, until } from './helpers/redis.js';
import { type WorkerProcess, startWorkerProcess, stopWorkerProcess } from './helpers/worker-process.js';
import { backendKeys } from '../src/internal/keys.js';

// The reported bug: on a 3-master cluster, wait() in another client timed out although the tasks
// had succeeded (its subscriber was on a node that did not own the slot, and the scripts, counting
// listeners with the node-local PUBSUB NUMSUB, skipped the PUBLISH). Here the waiter knows the
// cluster only by a master of another shard, the worker runs in another process that knows it only
// by the slot's own master, and every wait must settle.

let cluster: RedisCluster;
let admin: Cluster;
useRedisCluster((started, client) => {
  cluster = started;
  admin = client;
});

const workers: WorkerProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map(stopWorkerProcess));
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A master of a shard other than the one serving `key`'s slot. */
async function masterElsewhere(key: string): Promise<RedisClusterNode> {
  const owner = await cluster.shardOf(key);
  const other = (await cluster.shards()).find((s) => s.master.port !== owner.master.port);
  if (other === undefined) throw new Error('the cluster has one shard');
  return other.master;
}

/** `PUBSUB SHARDNUMSUB` / `NUMSUB` of `channel` on one node. */
async function subscribers(node: RedisClusterNode, kind: 'SHARDNUMSUB' | 'NUMSUB', channel: string): Promise<number> {
  const client = new Redis(node.port, node.host);
  try {
    const reply = (await client.call('PUBSUB', kind, channel)) as [string, number];
    return Number(reply[1]);
  } finally {
    client.disconnect();
  }
}

describe('wait() on a Redis Cluster', () => {
  it('settles for tasks run by a worker process elsewhere, though the waiter came in through another shard', { timeout: 120_000 }, async () => {
    const prefix = uniquePrefix('xwait');
    const slotKey = `{${prefix}}`;
    const owner = (await cluster.shardOf(slotKey)).master;
    const elsewhere = await masterElsewhere(slotKey);
    cleanups.push(() => deleteClusterKeys(admin, prefix));

    // The user's own Cluster instance, started from a node that does not serve the slot.
    const client = new Cluster(startupNodes([elsewhere]), { retryDelayOnFailover: 200, maxRedirections: 300 });
    const waiter = redisApp({ connection: client, prefix });
    cleanups.push(async () => {
      await waiter.close();
      await client.quit();
    });
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => waiter.app.send('test.echo', [n, 5])));
    const waits = results.map((r) => r.wait({ timeout: 60_000 }));

    // Every wait is subscribed before any task runs: the outcomes must come as events. They listen
    // on the slot's shard, to shard channels (the follow channel, see keys.ts), not to plain ones.
    const follow = backendKeys(prefix).followChannel;
    await until(async () => (await subscribers(owner, 'SHARDNUMSUB', follow)) >= 1, 30_000, 'the waiter to subscribe on the slot\'s shard');
    for (const node of cluster.nodes) expect(await subscribers(node, 'NUMSUB', follow)).toBe(0);

    workers.push(await startWorkerProcess({ fixture: 'topology', connection: { cluster: startupNodes([owner]) }, prefix, name: 'w1' }, 60_000));
    const outcomes = (await Promise.all(waits)) as { n: number; worker: string }[];
    expect(outcomes.map((o) => o.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(new Set(outcomes.map((o) => o.worker))).toEqual(new Set(['w1']));
  });
});
