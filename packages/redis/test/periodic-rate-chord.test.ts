import { type TaskContext, chord, group } from '@celeriac/core';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisApp } from './helpers/apps.js';
import { eachPartition } from './helpers/partitions.js';
import { type TestRedis, deleteKeys, uniquePrefix, until, useRedisServer } from './helpers/redis.js';
import { type WorkerProcess, startWorkerProcess, stopWorkerProcess } from './helpers/worker-process.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

// Schedules keep their state in the home partition's values; their runs go to any partition.
describe.each([1, 3])('periodic tasks on Redis, %i partition(s)', (partitions) => {
  it('three schedulers enqueue each run once, and restarting them neither repeats nor skips a run', { timeout: 30_000 }, async () => {
    const prefix = uniquePrefix('sched');
    const EVERY = 300;
    const runsKey = `{${prefix}}:test:runs`;
    /** An app instance: scheduler + worker + the periodic task, sharing one Redis with the others. */
    const instance = () => {
      const node = redisApp({ connection: server.url, prefix, partitions });
      const tick = node.app.task({ name: 'report.refresh', bind: true }, async (ctx: TaskContext) => {
        await admin.hincrby(runsKey, ctx.id, 1);
      });
      node.app.schedule(tick, { every: EVERY });
      return node;
    };
    const first = [instance(), instance(), instance()];
    const second = [instance(), instance(), instance()];
    try {
      await first[0]?.app.worker({ concurrency: 4, pollInterval: 50 }).start();
      await Promise.all(first.map((n) => n.app.scheduler({ tick: 50 }).start()));
      await until(async () => (await admin.hlen(runsKey)) >= 5, 10_000, 'five runs');
      // Restart every scheduler (and the worker) at once: state lives in Redis.
      await Promise.all(first.map((n) => n.close()));
      await second[0]?.app.worker({ concurrency: 4, pollInterval: 50 }).start();
      await Promise.all(second.map((n) => n.app.scheduler({ tick: 50 }).start()));
      await until(async () => (await admin.hlen(runsKey)) >= 10, 10_000, 'ten runs');
      await Promise.all(second.map((n) => n.app.close()));

      const runs = await admin.hgetall(runsKey);
      expect(Object.entries(runs).filter(([, count]) => count !== '1')).toEqual([]); // no run twice
      const times = Object.keys(runs)
        .map((id) => Number(id.split(':').at(-1)))
        .sort((a, b) => a - b);
      expect(times.every((t) => t % EVERY === 0)).toBe(true);
      // Consecutive: the restart was quicker than the grace, so no run was skipped or doubled.
      expect(times.slice(1).map((t, i) => t - (times[i] as number))).toEqual(times.slice(1).map(() => EVERY));
    } finally {
      await Promise.all(second.map((n) => n.close()));
      await eachPartition(prefix, partitions, (p) => deleteKeys(admin, p));
    }
  });
});

// With 3 partitions the tasks, group counts and callbacks are spread over them; the rate window is
// the home's, for all.
describe.each([1, 3])('rate limits and chords across worker processes on Redis, %i partition(s)', (partitions) => {
  it('keeps a rate limit shared by two worker processes', { timeout: 40_000 }, async () => {
    const prefix = uniquePrefix('rate');
    const producer = redisApp({ connection: server.url, prefix, partitions });
    const workers: WorkerProcess[] = [];
    try {
      // Five slots each: one worker cannot take a whole window (10), so both must share it.
      workers.push(...(await Promise.all(['w1', 'w2'].map((name) => startWorkerProcess({ url: server.url, prefix, partitions, name, concurrency: 5, fixture: 'workflow' })))));
      const insert = producer.app.task({ name: 'rate.insert', rateLimit: { limit: 10, intervalMs: 1_000 } }, (n: number) => n);
      const results = await insert.bulk(Array.from({ length: 40 }, (_, n) => [n]));
      await Promise.all(results.map((r) => r.wait({ timeout: 30_000 })));
      const starts = (await admin.lrange(`{${prefix}}:test:starts`, 0, -1)).map((line) => {
        const [at, worker] = line.split(':');
        return { at: Number(at), worker: worker as string };
      });
      expect(starts).toHaveLength(40);
      expect(new Set(starts.map((s) => s.worker))).toEqual(new Set(['w1', 'w2']));
      const times = starts.map((s) => s.at).sort((a, b) => a - b);
      // The limit counts deliveries; a start follows its delivery by a moment (longer on a busy
      // machine), so allow 100 ms of skew.
      for (const t of times) expect(times.filter((u) => u >= t && u < t + 1_000 - 100).length).toBeLessThanOrEqual(10);
      // 40 starts at 10 per second need at least three full windows after the first.
      expect((times.at(-1) as number) - (times[0] as number)).toBeGreaterThanOrEqual(3 * 1_000 - 100);
    } finally {
      await Promise.all(workers.map(stopWorkerProcess));
      await producer.close();
      await eachPartition(prefix, partitions, (p) => deleteKeys(admin, p));
    }
  });

  it('runs a chord callback exactly once when members finish together in different processes', { timeout: 40_000 }, async () => {
    const prefix = uniquePrefix('chord');
    const producer = redisApp({ connection: server.url, prefix, partitions });
    const workers: WorkerProcess[] = [];
    try {
      workers.push(...(await Promise.all(['w1', 'w2', 'w3'].map((name) => startWorkerProcess({ url: server.url, prefix, partitions, name, concurrency: 20, fixture: 'workflow' })))));
      const member = producer.app.task({ name: 'chord.member' }, (n: number) => n * 2);
      const sum = producer.app.task({ name: 'chord.sum' }, (values: number[], _round: number) => values.reduce((a, b) => a + b, 0));
      for (let round = 0; round < 5; round++) {
        const members = Array.from({ length: 60 }, (_, n) => member.s(n));
        const result = await chord(group(...members), sum.partial(round)).applyAsync();
        expect(await result.get({ timeout: 20_000 })).toBe(2 * ((59 * 60) / 2));
      }
      expect(await admin.hgetall(`{${prefix}}:test:callbacks`)).toEqual({ 0: '1', 1: '1', 2: '1', 3: '1', 4: '1' });
    } finally {
      await Promise.all(workers.map(stopWorkerProcess));
      await producer.close();
      await eachPartition(prefix, partitions, (p) => deleteKeys(admin, p));
    }
  });
});
