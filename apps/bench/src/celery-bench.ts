/**
 * A Celeriac worker on `celeryRedisStore` (Celery's own layout: kombu's lists, Celery's result
 * keys, plus Celeriac's `celeriac.*` bookkeeping) against the same worker on the native Redis
 * store, on one redis-server: processing N no-op tasks at concurrency 10 (enqueued first, timed
 * from the worker's start until every outcome is stored), and sequential enqueue-to-result
 * latency with a worker at concurrency 10. With BENCH_PYTHON=1 (the default when Debian's
 * python3-celery is there), a real Celery 5.2 worker (prefork, -c 10) drains the same N tasks sent
 * from Node, timed from its `worker_ready` until every result is stored (read back from Redis).
 * Rounds are interleaved and Redis is flushed before every run; stdout gets the medians.
 *
 * Environment: BENCH_TASKS (5000), BENCH_LATENCY_TASKS (500), BENCH_ROUNDS (3),
 * BENCH_PYTHON (1 if /usr/bin/python3 imports celery, else 0).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Celeriac, type TaskStore, consoleLogger } from '@celeriac/core';
import { celeryRedisStore } from '@celeriac/celery';
import { createRedisStore } from '@celeriac/redis';
import { startRedisServer } from '@celeriac/test-support';
import { Redis } from 'ioredis';
import { envInt } from './env.js';
import { percentile, spread } from './stats.js';

const PYTHON = '/usr/bin/python3';
const PYTHON_DIR = fileURLToPath(new URL('../python/', import.meta.url));
const CONCURRENCY = 10;
const TASK = 'bench.noop';
const tasks = envInt('BENCH_TASKS', 5_000);
const roundTrips = envInt('BENCH_LATENCY_TASKS', 500);
const rounds = envInt('BENCH_ROUNDS', 3);
const withPython = process.env.BENCH_PYTHON === undefined ? hasCelery() : process.env.BENCH_PYTHON === '1';

type StoreKind = 'native' | 'celery';
const makeStore = (kind: StoreKind, url: string): TaskStore => (kind === 'native' ? createRedisStore({ connection: url }) : celeryRedisStore({ connection: url }));

function hasCelery(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import celery'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function stopwatch(): () => number {
  const start = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - start) / 1e9;
}

/** One app on a fresh store of `kind`, with a no-op task counting its runs. */
function open(kind: StoreKind, url: string) {
  const store = makeStore(kind, url);
  const app = new Celeriac({ store, logger: consoleLogger('error') });
  let runs = 0;
  let wake = () => {};
  const noop = app.task({ name: TASK, queue: 'celery' }, (_i: number) => {
    runs++;
    if (runs >= tasks) wake();
    return null;
  });
  const allRan = new Promise<void>((resolve) => (wake = resolve));
  return { app, noop, allRan, close: async () => (await app.close(), await store.close()) };
}

/** Tasks per second: N enqueued, then a worker at concurrency 10 started and timed until all are stored. */
async function celeriacThroughput(kind: StoreKind, url: string): Promise<number> {
  const { app, noop, allRan, close } = await open(kind, url);
  try {
    await noop.bulk(Array.from({ length: tasks }, (_, i) => [i] as [number]));
    const worker = app.worker({ queues: ['celery'], concurrency: CONCURRENCY });
    const elapsed = stopwatch();
    await worker.start();
    await allRan;
    while (worker.activeCount > 0) await new Promise((r) => setTimeout(r, 1));
    const seconds = elapsed();
    await worker.close();
    return tasks / seconds;
  } finally {
    await close();
  }
}

/** Sequential delay() → stored result, with a worker at concurrency 10: the p50 in ms. */
async function celeriacLatency(kind: StoreKind, url: string): Promise<number> {
  const { app, noop, close } = await open(kind, url);
  try {
    await app.worker({ queues: ['celery'], concurrency: CONCURRENCY }).start();
    const samples: number[] = [];
    for (let i = 0; i < roundTrips; i++) {
      const elapsed = stopwatch();
      await (await noop.delay(i)).wait();
      samples.push(elapsed() * 1000);
    }
    return percentile(samples, 50);
  } finally {
    await close();
  }
}

/** N tasks sent from Node (celeryRedisStore, app.remote), drained by a real Celery worker: tasks per second. */
async function celeryThroughput(url: string, admin: Redis): Promise<number> {
  const store = celeryRedisStore({ connection: url });
  const app = new Celeriac({ store, logger: consoleLogger('error') });
  let worker: ChildProcess | undefined;
  try {
    const noop = app.remote<[i: number], null>(TASK, { queue: 'celery' });
    const sent = await noop.bulk(Array.from({ length: tasks }, (_, i) => [i] as [number]));
    let ready: () => void = () => {};
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    const args = ['-m', 'celery', '-A', 'celery_bench', 'worker', '-c', String(CONCURRENCY), '-Q', 'celery', '--without-gossip', '--without-mingle', '--without-heartbeat', '--loglevel=WARNING'];
    worker = spawn(PYTHON, args, { cwd: PYTHON_DIR, env: { ...process.env, CELERY_URL: url, PYTHONPATH: PYTHON_DIR, PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    // The worker logs what its tasks print (stdout redirected to its log, on stderr).
    let log = '';
    const watch = (chunk: Buffer) => ((log += chunk.toString()), log.includes('BENCH-READY') && ready());
    worker.stdout?.on('data', watch);
    worker.stderr?.on('data', watch);
    worker.once('exit', (code) => log.includes('BENCH-READY') || console.error(`celery worker exited (${code}) before it was ready:\n${log}`));
    await isReady;
    const elapsed = stopwatch();
    // Send order is roughly run order: read the oldest unfinished ids until none is left.
    let pending = sent.map((r) => r.id);
    while (pending.length > 0) {
      const head = pending.slice(0, 1_000);
      const metas = await admin.mget(...head.map((id) => `celery-task-meta-${id}`));
      const done = new Set(head.filter((_, i) => metas[i] !== null && (JSON.parse(metas[i] as string) as { status: string }).status === 'SUCCESS'));
      pending = pending.filter((id) => !done.has(id));
      if (done.size < head.length) await new Promise((r) => setTimeout(r, 5));
    }
    return tasks / elapsed();
  } finally {
    if (worker !== undefined && worker.exitCode === null) {
      const gone = new Promise((r) => worker?.once('exit', r));
      worker.kill('SIGTERM');
      await gone;
    }
    await app.close();
    await store.close();
  }
}

const server = await startRedisServer();
const admin = new Redis(server.url);
const figures = new Map<string, number[]>();
const record = (name: string, value: number) => figures.set(name, [...(figures.get(name) ?? []), value]);
try {
  for (let round = 1; round <= rounds; round++) {
    for (const kind of ['native', 'celery'] as const) {
      await admin.flushall();
      record(`${kind} tasks/s c=${CONCURRENCY}`, await celeriacThroughput(kind, server.url));
      await admin.flushall();
      record(`${kind} latency p50 ms`, await celeriacLatency(kind, server.url));
    }
    if (withPython) {
      await admin.flushall();
      record(`python celery worker tasks/s c=${CONCURRENCY}`, await celeryThroughput(server.url, admin));
    }
    console.error(`celery-bench: round ${round}/${rounds} done`);
  }
  console.log(`Celeriac worker on celeryRedisStore vs the native RedisStore${withPython ? ', and a Celery 5.2 worker (prefork)' : ''} · Node ${process.version} · ${availableParallelism()} CPUs`);
  console.log(`${tasks} no-op tasks per throughput run, ${roundTrips} sequential round trips per latency run; median (min–max) of ${rounds} interleaved rounds`);
  for (const [name, values] of figures) {
    const s = spread(values);
    const digits = name.includes('ms') ? 2 : 0;
    console.log(`  ${name.padEnd(40)} ${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`);
  }
} finally {
  await admin.quit();
  await server.stop();
}
