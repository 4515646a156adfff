import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { records, redisApp } from './helpers/apps.js';
import { eachPartition } from './helpers/partitions.js';
import { type TestRedis, deleteKeys, uniquePrefix, until, useRedisServer } from './helpers/redis.js';
import { type WorkerProcess, startWorkerProcess, stopWorkerProcess } from './helpers/worker-process.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

// With partitions, the victim holds leases in every partition: each is reclaimed by a later sweep.
describe.each([1, 3])('a worker process killed with SIGKILL in the middle of tasks, %i partition(s)', (partitions) => {
  it('loses its leases: every task still completes exactly once to SUCCESS, the interrupted ones on another worker', { timeout: 60_000 }, async () => {
    const prefix = uniquePrefix('kill');
    const { app, store, close } = redisApp({ connection: server.url, prefix, partitions });
    const workers: WorkerProcess[] = [];
    try {
      const common = { url: server.url, prefix, partitions, concurrency: 4, visibilityTimeout: 1_000 };
      workers.push(await startWorkerProcess({ ...common, name: 'victim' }), await startWorkerProcess({ ...common, name: 'survivor' }));
      const results = await Promise.all(Array.from({ length: 40 }, (_, n) => app.send('test.work', [n, 250])));
      const ids = results.map((r) => r.id);

      // Kill the victim while it holds tasks it has started.
      const starts = `{${prefix}}:test:starts`;
      await until(async () => (await admin.lrange(starts, 0, -1)).filter((s) => s.startsWith('victim:')).length >= 4, 20_000, 'the victim to start tasks');
      const victim = workers[0] as WorkerProcess;
      victim.child.kill('SIGKILL');
      await victim.exited;
      const startedByVictim = new Set((await admin.lrange(starts, 0, -1)).filter((s) => s.startsWith('victim:')).map((s) => Number(s.split(':')[1])));

      const outcomes = await Promise.all(results.map((r) => r.wait({ timeout: 30_000 }) as Promise<{ n: number; worker: string }>));
      expect(outcomes.map((o) => o.n)).toEqual(ids.map((_, n) => n));
      const final = await records(app, ids);
      expect(final.every((r) => r?.state === 'SUCCESS')).toBe(true);

      // The victim's unfinished tasks ran again, on the survivor; every other task ran once.
      const runs = await admin.hgetall(`{${prefix}}:test:runs`);
      const interrupted = outcomes.filter((o) => startedByVictim.has(o.n) && o.worker === 'survivor').map((o) => o.n);
      expect(interrupted.length).toBeGreaterThan(0);
      for (const o of outcomes) expect(Number(runs[String(o.n)])).toBe(interrupted.includes(o.n) ? 2 : 1);
      expect(await store.deadLetters()).toEqual([]);
      expect(await store.size('default')).toBe(0);
    } finally {
      await Promise.all(workers.map(stopWorkerProcess));
      await close();
      await eachPartition(prefix, partitions, (p) => deleteKeys(admin, p));
    }
  });
});
