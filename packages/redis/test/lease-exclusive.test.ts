import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { records, redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, useRedisServer } from './helpers/redis.js';
import { type WorkerProcess, startWorkerProcess, stopWorkerProcess } from './helpers/worker-process.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

describe('leases across worker processes', () => {
  it('never lets two workers hold one task at once; heartbeats keep tasks longer than the lease their only run', { timeout: 60_000 }, async () => {
    const prefix = uniquePrefix('lease');
    const { app, close } = redisApp({ connection: server.url, prefix });
    const workers: WorkerProcess[] = [];
    try {
      // A lease of 600 ms, extended every 150 ms: a 1 s task outlives its first lease many times over.
      const common = { url: server.url, prefix, concurrency: 5, visibilityTimeout: 600, heartbeatInterval: 150 };
      workers.push(...(await Promise.all(['w1', 'w2', 'w3'].map((name) => startWorkerProcess({ ...common, name })))));
      const results = await Promise.all(Array.from({ length: 90 }, (_, n) => app.send('test.work', [n, n % 10 === 0 ? 1_000 : 15])));
      const outcomes = (await Promise.all(results.map((r) => r.wait({ timeout: 40_000 })))) as { n: number; worker: string }[];

      expect(outcomes.map((o) => o.n)).toEqual(results.map((_, n) => n));
      expect(await admin.lrange(`{${prefix}}:test:overlaps`, 0, -1)).toEqual([]);
      const runs = await admin.hgetall(`{${prefix}}:test:runs`);
      expect(Object.keys(runs)).toHaveLength(90);
      expect(Object.entries(runs).filter(([, count]) => count !== '1')).toEqual([]);
      expect(new Set(outcomes.map((o) => o.worker)).size).toBeGreaterThan(1);
      const final = await records(app, results.map((r) => r.id));
      expect(final.every((r) => r?.state === 'SUCCESS' && r.seq === 3)).toBe(true);
    } finally {
      await Promise.all(workers.map(stopWorkerProcess));
      await close();
      await deleteKeys(admin, prefix);
    }
  });
});
