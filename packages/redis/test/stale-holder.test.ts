import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { records, redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, until, useRedisServer } from './helpers/redis.js';
import { type WorkerProcess, startWorkerProcess, stopWorkerProcess } from './helpers/worker-process.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

describe('a worker process that stalls past its leases (SIGSTOP, then SIGCONT)', () => {
  it("has its tasks run elsewhere; woken while they run, its outcomes are refused: the stale holder's outcome never wins", { timeout: 60_000 }, async () => {
    const prefix = uniquePrefix('stale');
    const { app, close } = redisApp({ connection: server.url, prefix });
    const workers: WorkerProcess[] = [];
    const spans = `{${prefix}}:test:spans`;
    const lines = async (kind: string, worker: string) => (await admin.lrange(spans, 0, -1)).filter((l) => l.startsWith(`${kind} ${worker}:`));
    try {
      const stalled = await startWorkerProcess({ url: server.url, prefix, name: 'stalled', concurrency: 4, spans: true });
      workers.push(stalled);
      const results = await Promise.all(Array.from({ length: 4 }, (_, n) => app.send('test.work', [n, 1_500])));
      await until(async () => (await lines('start', 'stalled')).length === 4, 15_000, 'the stalled worker to start its tasks');
      // Frozen with its leases (default settings): no heartbeat, no write, until SIGCONT.
      stalled.child.kill('SIGSTOP');
      workers.push(await startWorkerProcess({ url: server.url, prefix, name: 'taker', concurrency: 4, spans: true }));
      // Its leases expired; the taker runs the tasks. The stalled worker wakes while they run (their
      // records say STARTED, which SUCCESS may follow): its sleeps are over at once, its runs
      // return and try to store their outcomes first. Fencing refuses them.
      await until(async () => (await lines('start', 'taker')).length === 4, 15_000, 'the taker to start the tasks');
      stalled.child.kill('SIGCONT');
      await until(async () => (await lines('end', 'stalled')).length === 4, 15_000, 'the stalled runs to end');
      const outcomes = (await Promise.all(results.map((r) => r.wait({ timeout: 30_000 })))) as { worker: string }[];
      expect(outcomes.map((o) => o.worker)).toEqual(['taker', 'taker', 'taker', 'taker']);
      expect((await lines('end', 'taker')).length).toBe(4);
      await new Promise((resolve) => setTimeout(resolve, 300)); // anything late would land now
      const final = await records(app, results.map((r) => r.id));
      expect(final.map((r) => r?.state)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
      expect(final.map((r) => (r?.result as { worker: string }).worker)).toEqual(['taker', 'taker', 'taker', 'taker']);
      // Nothing came back to run a third time.
      const runs = await admin.hgetall(`{${prefix}}:test:runs`);
      expect(Object.values(runs)).toEqual(['2', '2', '2', '2']);
    } finally {
      await Promise.all(workers.map(stopWorkerProcess));
      await close();
      await deleteKeys(admin, prefix);
    }
  });
});
