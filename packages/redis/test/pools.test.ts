import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { records, redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, until, useRedisServer } from './helpers/redis.js';

// Worker processes on the built packages (test/fixtures/pool-worker.mjs), their tasks in
// pool-tasks.mjs, run in the pool under test. Real threads, real child processes, real Redis.
const WORKER = fileURLToPath(new URL('./fixtures/pool-worker.mjs', import.meta.url));

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

interface PoolWorker {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

async function startPoolWorker(config: Record<string, unknown>): Promise<PoolWorker> {
  const child = fork(WORKER, [], { env: { ...process.env, CELERIAC_TEST_WORKER: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready:\n${output}`)), 20_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    void exited.then(({ code }) => reject(new Error(`worker exited (${code}) before it was ready:\n${output}`)));
  });
  return { child, exited, output: () => output };
}

async function stop(worker: PoolWorker): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGKILL');
  await worker.exited;
}

const list = (prefix: string, event: string) => admin.lrange(`{${prefix}}:test:${event}`, 0, -1);

describe.each(['threads', 'process'] as const)('the %s pool on Redis', (pool) => {
  it('runs a 3 s synchronous busy loop exactly once with a 1 s visibility timeout: the lease outlives the blocked runner', { timeout: 60_000 }, async () => {
    const prefix = uniquePrefix('pool-vt');
    const { app, close } = redisApp({ connection: server.url, prefix });
    // Two workers: a lease lost by the first would hand the task to the second, a second run.
    const workers = [
      await startPoolWorker({ url: server.url, prefix, name: 'a', pool, concurrency: 1, visibilityTimeout: 1_000 }),
      await startPoolWorker({ url: server.url, prefix, name: 'b', pool, concurrency: 1, visibilityTimeout: 1_000 }),
    ];
    try {
      const result = await app.send('pool.busy', [1, 3_000]);
      expect(await result.wait({ timeout: 30_000 })).toMatchObject({ n: 1 });
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // time for a wrongly redelivered copy to start
      expect(await list(prefix, 'starts')).toHaveLength(1);
      expect((await records(app, [result.id]))[0]).toMatchObject({ state: 'SUCCESS', attempt: 1 });
    } finally {
      await Promise.all(workers.map(stop));
      await close();
      await deleteKeys(admin, prefix);
    }
  });
});

describe.each(['inline', 'threads', 'process'] as const)('SIGTERM to a worker using the %s pool (closeOnSignals)', (pool) => {
  it('hands back every run still going at the deadline, honouring the abort or not; stores none of their outcomes; the process exits; nothing is lost', { timeout: 90_000 }, async () => {
    const prefix = uniquePrefix('pool-term');
    const { app, store, close } = redisApp({ connection: server.url, prefix });
    const workers: PoolWorker[] = [];
    try {
      const leaving = await startPoolWorker({ url: server.url, prefix, name: 'leaving', pool, concurrency: 8, shutdownTimeout: 1_000 });
      workers.push(leaving);
      const sent = await Promise.all(Array.from({ length: 8 }, (_, n) => app.send(n % 2 === 0 ? 'pool.honour' : 'pool.ignore', [n, 4_000])));
      const seen = new Map<string, string[]>();
      for (const r of sent) {
        seen.set(r.id, []);
        await store.subscribe(r.id, (record) => seen.get(r.id)?.push(record.state));
      }
      await until(async () => (await list(prefix, 'starts')).length === 8, 20_000, 'all 8 tasks to start');
      const sentAt = Date.now();
      leaving.child.kill('SIGTERM');
      expect(await leaving.exited).toEqual({ code: 0, signal: null });
      expect(Date.now() - sentAt).toBeLessThan(6_000);
      // Handed back: waiting again, and no outcome of the leaving worker's runs stored.
      const handedBack = await records(app, sent.map((r) => r.id));
      expect(handedBack.map((r) => r?.state)).toEqual(Array(8).fill('PENDING'));

      workers.push(await startPoolWorker({ url: server.url, prefix, name: 'next', pool, concurrency: 8 }));
      const outcomes = (await Promise.all(sent.map((r) => r.wait({ timeout: 30_000 })))) as { n: number; worker: string }[];
      expect(outcomes.map((o) => o.worker)).toEqual(Array(8).fill('next'));
      for (const states of seen.values()) expect(states.filter((s) => s === 'FAILURE' || s === 'RETRY' || s === 'SUCCESS')).toEqual(['SUCCESS']);
      const runs = await admin.hgetall(`{${prefix}}:test:runs`);
      expect(Object.values(runs)).toEqual(Array(8).fill('2'));
      // In threads and processes the leaving worker's runs were stopped: none of them ever ended.
      if (pool !== 'inline') expect((await list(prefix, 'ends')).filter((e) => e.startsWith('leaving:'))).toEqual([]);
    } finally {
      await Promise.all(workers.map(stop));
      await close();
      await deleteKeys(admin, prefix);
    }
  });
});

describe('closeOnSignals()', () => {
  it('exits at once on a second signal, without waiting for shutdownTimeout', { timeout: 60_000 }, async () => {
    const prefix = uniquePrefix('pool-twice');
    const { app, close } = redisApp({ connection: server.url, prefix });
    const worker = await startPoolWorker({ url: server.url, prefix, name: 'twice', pool: 'threads', concurrency: 1, shutdownTimeout: 30_000 });
    try {
      await app.send('pool.ignore', [0, 20_000]);
      await until(async () => (await list(prefix, 'starts')).length === 1, 20_000, 'the task to start');
      worker.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const sentAt = Date.now();
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toEqual({ code: 1, signal: null });
      expect(Date.now() - sentAt).toBeLessThan(3_000);
    } finally {
      await stop(worker);
      await close();
      await deleteKeys(admin, prefix);
    }
  });
});
