import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, useRedisServer } from './helpers/redis.js';
import { type WorkerProcess, startWorkerProcess, stopWorkerProcess } from './helpers/worker-process.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

const WORKERS = 4;
const KILLS = 10;
const TASKS = 4000;
const TASK_MS = 100;

interface Span {
  run: string;
  worker: string;
  start: number;
  /** When it ended: its own end, or the moment its process was killed. */
  end: number;
  killed: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs per task from the fixture's `spans` list; a run with no end ended when its process was killed. */
function spansByTask(lines: readonly string[], killedAt: ReadonlyMap<string, number>): Map<number, Span[]> {
  const ends = new Map<string, number>();
  for (const line of lines) {
    const [kind, run, end] = line.split(' ');
    if (kind === 'end') ends.set(run as string, Number(end));
  }
  const byTask = new Map<number, Span[]>();
  for (const line of lines) {
    const [kind, run] = line.split(' ') as [string, string];
    if (kind !== 'start') continue;
    const [worker, n, , start] = run.split(':') as [string, string, string, string];
    const ended = ends.get(run);
    const killed = killedAt.get(worker);
    if (ended === undefined && killed === undefined) throw new Error(`run ${run} never ended, and its worker was not killed`);
    const span: Span = { run, worker, start: Number(start), end: ended ?? (killed as number), killed: ended === undefined };
    const list = byTask.get(Number(n)) ?? [];
    list.push(span);
    byTask.set(Number(n), list);
  }
  for (const list of byTask.values()) list.sort((a, b) => a.start - b.start);
  return byTask;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

describe('kill -9 chaos, default lease settings', () => {
  it(`${KILLS} kills among ${WORKERS} worker processes: every task SUCCESS, no two runs overlap, redelivered within 5 s (median)`, { timeout: 240_000 }, async () => {
    const prefix = uniquePrefix('chaos');
    const { app, store, close } = redisApp({ connection: server.url, prefix });
    const live: WorkerProcess[] = [];
    const all: WorkerProcess[] = [];
    let named = 0;
    const spawn = async () => {
      // No lease options: the store's defaults are what is measured.
      const worker = await startWorkerProcess({ url: server.url, prefix, name: `w${named++}`, concurrency: 6, spans: true }, 30_000);
      live.push(worker);
      all.push(worker);
    };
    const killedAt = new Map<string, number>();
    try {
      await Promise.all(Array.from({ length: WORKERS }, spawn));
      const results = await Promise.all(Array.from({ length: TASKS }, (_, n) => app.send('test.work', [n, TASK_MS])));
      for (let k = 0; k < KILLS; k++) {
        await sleep(600 + Math.floor(Math.random() * 400));
        expect(await store.size('default'), `tasks left to run at kill ${k + 1}`).toBeGreaterThan(0);
        const victim = live.splice(Math.floor(Math.random() * live.length), 1)[0] as WorkerProcess;
        killedAt.set(victim.name, Date.now());
        victim.child.kill('SIGKILL');
        await victim.exited;
        await spawn();
      }
      const outcomes = (await Promise.all(results.map((r) => r.wait({ timeout: 120_000 })))) as { n: number; run: string }[];
      expect(outcomes.map((o) => o.n)).toEqual(results.map((_, n) => n));

      const byTask = spansByTask(await admin.lrange(`{${prefix}}:test:spans`, 0, -1), killedAt);
      const overlaps: string[] = [];
      const delays: number[] = [];
      for (const [n, runs] of byTask) {
        for (let i = 1; i < runs.length; i++) {
          const before = runs[i - 1] as Span;
          const after = runs[i] as Span;
          if (after.start < before.end) overlaps.push(`task ${n}: ${before.run} until ${before.end}, ${after.run} from ${after.start}`);
          if (before.killed) delays.push(after.start - before.end);
        }
        // The stored outcome is its last run's, and that run was not cut short.
        const last = runs.at(-1) as Span;
        expect(last.killed).toBe(false);
        expect(outcomes[n]?.run).toBe(last.run);
      }
      expect(byTask.size).toBe(TASKS);
      expect(overlaps).toEqual([]);
      expect(delays.length).toBeGreaterThanOrEqual(KILLS);
      const sorted = [...delays].sort((a, b) => a - b);
      console.log(
        `chaos: ${KILLS} kills, ${delays.length} interrupted runs; redelivery after kill -9 (ms): median ${median(delays)}, ` +
          `min ${sorted[0]}, p90 ${sorted[Math.floor(sorted.length * 0.9)]}, max ${sorted.at(-1)}`,
      );
      expect(median(delays)).toBeLessThan(5_000);
      expect(await store.deadLetters()).toEqual([]);
    } finally {
      await Promise.all(all.map(stopWorkerProcess));
      await close();
      await deleteKeys(admin, prefix);
    }
  });
});
