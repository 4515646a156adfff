import { type RedisCluster, type RedisClusterNode, type RedisClusterShard, startRedisCluster } from '@celeriac/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { NotReplicatedError } from '../src/index.js';
import { redisApp } from './helpers/apps.js';
import { startupNodes } from './helpers/cluster.js';
import { Producer } from './helpers/failover.js';
import { uniquePrefix, until } from './helpers/redis.js';
import { type WorkerProcess, startWorkerProcess, stopWorkerProcess } from './helpers/worker-process.js';

// A failover of the master that serves the deployment's slot, in the middle of a run: worker
// processes, the producer and its waiters must go on by themselves, on the replica promoted in its
// place. Each test has a cluster of its own (3 masters, 3 replicas), since it breaks one.

let cluster: RedisCluster | undefined;
const workers: WorkerProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map(stopWorkerProcess));
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await cluster?.stop();
  cluster = undefined;
});

const TASK_MS = 100;

/**
 * A cluster, a prefix and the shard of its slot (with `partitions`, of its home partition); two
 * worker processes, one through a master of another shard, one through the slot's replica.
 */
async function setUp(partitions = 1): Promise<{ cluster: RedisCluster; prefix: string; shard: RedisClusterShard; replica: RedisClusterNode }> {
  const started = await startRedisCluster();
  cluster = started;
  const prefix = uniquePrefix('failover');
  const shard = await started.shardOf(`{${prefix}}`);
  const replica = shard.replicas[0] as RedisClusterNode;
  const other = (await started.shards()).find((s) => s.master.port !== shard.master.port)?.master as RedisClusterNode;
  for (const [name, node] of [['w1', other], ['w2', replica]] as const) {
    workers.push(await startWorkerProcess({ fixture: 'topology', connection: { cluster: startupNodes([node]) }, prefix, partitions, name }, 60_000));
  }
  return { cluster: started, prefix, shard, replica };
}

/** Waits for every acknowledged task; each must succeed with its own number. */
async function expectAllSucceeded(producer: Producer): Promise<void> {
  const outcomes = await Promise.all(producer.acknowledged.map((sent) => sent.result.wait({ timeout: 120_000 })));
  expect(outcomes.map((o) => o.n)).toEqual(producer.acknowledged.map((sent) => sent.n));
  // The same worker processes all along: they resumed by themselves.
  for (const worker of workers) expect(worker.child.exitCode, worker.output()).toBeNull();
}

describe('a failover of the slot\'s master mid-run, on a Redis Cluster', () => {
  it('CLUSTER FAILOVER: the workers, the producer and its waiters go on by themselves, and every waiter settles', { timeout: 300_000 }, async () => {
    const { prefix, replica } = await setUp();
    const producer = redisApp({ connection: { cluster: startupNodes(cluster!.nodes) }, prefix });
    cleanups.push(() => producer.close());
    const stream = new Producer(producer.app, TASK_MS);
    cleanups.unshift(() => stream.stop());
    await until(() => stream.count >= 40, 60_000, '40 tasks enqueued');
    // Waiters subscribed before the failover: they must hear of their tasks after it.
    const early = stream.acknowledged.map((sent) => sent.result.wait({ timeout: 120_000 }));
    await cluster!.failover(replica);
    const atFailover = stream.count;
    await until(() => stream.count >= atFailover + 40, 120_000, '40 more tasks enqueued after the failover');
    await stream.stop();
    // A graceful failover loses nothing: every enqueue went through.
    expect(stream.refused).toEqual([]);
    await Promise.all(early);
    await expectAllSucceeded(stream);
  });

  // With 3 partitions the killed master serves one of them (the home, with the global keys): the
  // others go on throughout, and that one's subscribers and commands follow its promoted replica.
  it.each([1, 3])('the master killed (%i partition(s)): its replica takes over, durable enqueues are never lost, and every waiter settles', { timeout: 300_000 }, async (partitions) => {
    const { prefix, shard } = await setUp(partitions);
    const producer = redisApp({ connection: { cluster: startupNodes(cluster!.nodes) }, prefix, partitions, durable: { replicas: 1, timeout: 3_000 } });
    cleanups.push(() => producer.close());
    const stream = new Producer(producer.app, TASK_MS);
    cleanups.unshift(() => stream.stop());
    await until(() => stream.count >= 40, 60_000, '40 tasks enqueued');
    // Waiters subscribed before the kill: they must hear of their tasks after it.
    const early = stream.acknowledged.map((sent) => sent.result.wait({ timeout: 120_000 }));
    await cluster!.kill(shard.master);
    await cluster!.waitHealthy(120_000);
    // The promoted replica has no replica of its own: enqueues cannot be confirmed, and say so.
    await until(() => stream.refused.some((e) => e instanceof NotReplicatedError), 60_000, 'an enqueue refused while no replica could confirm it');
    expect(stream.refused.some((e) => e instanceof NotReplicatedError)).toBe(true);
    // The old master comes back as the new one's replica: enqueues are confirmed again.
    await cluster!.restart(shard.master);
    await cluster!.waitHealthy(120_000, 3);
    const atRecovery = stream.count;
    await until(() => stream.count >= atRecovery + 40, 120_000, '40 more tasks enqueued once a replica is back');
    await stream.stop();

    await Promise.all(early);
    await expectAllSucceeded(stream);
  });
});
