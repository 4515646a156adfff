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

async function startedBy(prefix: string, name: string): Promise<number[]> {
  return (await admin.lrange(`{${prefix}}:test:starts`, 0, -1)).filter((s) => s.startsWith(`${name}:`)).map((s) => Number(s.split(':')[1]));
}

describe('SIGTERM to a worker process in the middle of tasks', () => {
  it('hands back what cannot finish within shutdownTimeout; another worker runs it; nothing is lost', { timeout: 60_000 }, async () => {
    const prefix = uniquePrefix('term');
    const { app, close } = redisApp({ connection: server.url, prefix });
    const workers: WorkerProcess[] = [];
    try {
      const leaving = await startWorkerProcess({ url: server.url, prefix, name: 'leaving', concurrency: 3, shutdownTimeout: 200 });
      workers.push(leaving);
      const results = await Promise.all(Array.from({ length: 6 }, (_, n) => app.send('test.work', [n, 1_500])));
      await until(async () => (await startedBy(prefix, 'leaving')).length >= 3, 20_000, 'the worker to start 3 tasks');
      const sentAt = Date.now();
      leaving.child.kill('SIGTERM');
      expect(await leaving.exited).toEqual({ code: 0, signal: null });
      expect(Date.now() - sentAt).toBeLessThan(5_000);
      const handedBack = await startedBy(prefix, 'leaving');

      workers.push(await startWorkerProcess({ url: server.url, prefix, name: 'next', concurrency: 6 }));
      const outcomes = (await Promise.all(results.map((r) => r.wait({ timeout: 30_000 })))) as { n: number; worker: string }[];
      expect(outcomes.every((o) => o.worker === 'next')).toBe(true);
      const final = await records(app, results.map((r) => r.id));
      expect(final.every((r) => r?.state === 'SUCCESS')).toBe(true);
      const runs = await admin.hgetall(`{${prefix}}:test:runs`);
      for (const n of handedBack) expect(runs[String(n)]).toBe('2');
    } finally {
      await Promise.all(workers.map(stopWorkerProcess));
      await close();
      await deleteKeys(admin, prefix);
    }
  });

  it('lets in-flight tasks finish when they can within shutdownTimeout, and takes no new ones', { timeout: 60_000 }, async () => {
    const prefix = uniquePrefix('term');
    const { app, close } = redisApp({ connection: server.url, prefix });
    const workers: WorkerProcess[] = [];
    try {
      const leaving = await startWorkerProcess({ url: server.url, prefix, name: 'leaving', concurrency: 2, shutdownTimeout: 10_000 });
      workers.push(leaving);
      const results = await Promise.all(Array.from({ length: 6 }, (_, n) => app.send('test.work', [n, 400])));
      await until(async () => (await startedBy(prefix, 'leaving')).length >= 2, 20_000, 'the worker to start 2 tasks');
      leaving.child.kill('SIGTERM');
      expect(await leaving.exited).toEqual({ code: 0, signal: null });
      const ranOnLeaving = await startedBy(prefix, 'leaving');

      workers.push(await startWorkerProcess({ url: server.url, prefix, name: 'next', concurrency: 6 }));
      const outcomes = (await Promise.all(results.map((r) => r.wait({ timeout: 30_000 })))) as { n: number; worker: string }[];
      for (const o of outcomes) expect(o.worker).toBe(ranOnLeaving.includes(o.n) ? 'leaving' : 'next');
      const runs = await admin.hgetall(`{${prefix}}:test:runs`);
      expect(Object.values(runs).every((count) => count === '1')).toBe(true);
    } finally {
      await Promise.all(workers.map(stopWorkerProcess));
      await close();
      await deleteKeys(admin, prefix);
    }
  });
});
