import { type RedisSentinelSetup, startRedisSentinel } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotReplicatedError } from '../src/index.js';
import { redisApp } from './helpers/apps.js';
import { Producer } from './helpers/failover.js';
import { uniquePrefix, until } from './helpers/redis.js';
import { type WorkerProcess, startWorkerProcess, stopWorkerProcess } from './helpers/worker-process.js';

// Behind Redis Sentinel (a master, its replica, three sentinels): the store finds the master
// through the sentinels, and after the master dies, the new one, by itself.

let setup: RedisSentinelSetup;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  setup = await startRedisSentinel();
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.splice(0).map(stopWorkerProcess));
  await setup?.stop();
});

/** The store's `connection`: the sentinels and the name of the master they watch. */
function connection(): { sentinels: { host: string; port: number }[]; name: string } {
  return { sentinels: setup.sentinels.map(({ host, port }) => ({ host, port })), name: setup.name };
}

describe('a store behind Redis Sentinel', () => {
  it('goes on after the master is killed: workers resume, durable enqueues are never lost, every waiter settles', { timeout: 300_000 }, async () => {
    const prefix = uniquePrefix('sentinel');
    for (const name of ['w1', 'w2']) workers.push(await startWorkerProcess({ fixture: 'topology', connection: connection(), prefix, name }, 60_000));
    const producer = redisApp({ connection: connection(), prefix, durable: { replicas: 1, timeout: 3_000 } });
    const stream = new Producer(producer.app, 100);
    try {
      await until(() => stream.count >= 40, 60_000, '40 tasks enqueued');
      // Waiters subscribed before the kill: they must hear of their tasks after it.
      const early = stream.acknowledged.map((sent) => sent.result.wait({ timeout: 120_000 }));
      const master = await setup.master();
      await setup.kill(master);
      await setup.waitForNewMaster(master, 120_000);
      // The new master has no replica: enqueues cannot be confirmed, and say so.
      await until(() => stream.refused.some((e) => e instanceof NotReplicatedError), 60_000, 'an enqueue refused while no replica could confirm it');
      // The old master comes back, as the new one's replica: enqueues are confirmed again.
      await setup.restart(master);
      const atRecovery = stream.count;
      await until(() => stream.count >= atRecovery + 40, 120_000, '40 more tasks enqueued once a replica is back');
      await stream.stop();

      await Promise.all(early);
      const outcomes = await Promise.all(stream.acknowledged.map((sent) => sent.result.wait({ timeout: 120_000 })));
      expect(outcomes.map((o) => o.n)).toEqual(stream.acknowledged.map((sent) => sent.n));
      for (const worker of workers) expect(worker.child.exitCode, worker.output()).toBeNull();
    } finally {
      await stream.stop();
      await producer.close();
    }
  });
});
