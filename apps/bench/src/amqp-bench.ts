/**
 * The AMQP broker beside the Redis store, in this one process, on servers it starts itself (a
 * rabbitmq-server node and a redis-server on free ports): bulk enqueue, processing at concurrency
 * 10, and sequential enqueue-to-result latency. `amqp` is `splitStore(AmqpBroker, RedisStore)`:
 * messages on RabbitMQ, records in Redis; `redis` is the RedisStore alone. Each figure is the median
 * (min–max) of `BENCH_ROUNDS` interleaved rounds after a warm-up, every run on fresh names.
 *
 * With python3-celery installed, a real Celery 5.2 worker (prefork, -c BENCH_CONCURRENCY) drains
 * the same number of tasks sent from Node in celery mode on the same RabbitMQ (results in Redis in
 * Celery's layout), for the processing figure.
 *
 * Environment: BENCH_TASKS (5000), BENCH_LATENCY_TASKS (500), BENCH_ROUNDS (3), BENCH_CONCURRENCY (10),
 * BENCH_PYTHON (1 if /usr/bin/python3 imports celery, else 0).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AmqpBroker, createAmqpStore } from '@celeriac/amqp';
import { CeleryRedisBackend } from '@celeriac/celery';
import { Redis } from 'ioredis';
import { Celeriac, type TaskStore, consoleLogger } from '@celeriac/core';
import { splitStore } from '@celeriac/core/adapter';
import { createRedisStore } from '@celeriac/redis';
import { startRabbitMqServer, startRedisServer } from '@celeriac/test-support';
import { envInt } from './env.js';
import { percentile, spread } from './stats.js';

const tasks = envInt('BENCH_TASKS', 5_000);
const latencyTasks = envInt('BENCH_LATENCY_TASKS', 500);
const rounds = envInt('BENCH_ROUNDS', 3);
const concurrency = envInt('BENCH_CONCURRENCY', 10);
const log = (line: string) => console.error(line);

const PYTHON = '/usr/bin/python3';
const PYTHON_DIR = fileURLToPath(new URL('../python/', import.meta.url));
const withPython = envInt('BENCH_PYTHON', hasCelery() ? 1 : 0) === 1;
function hasCelery(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import celery'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const [rabbit, redis] = await Promise.all([startRabbitMqServer(), startRedisServer()]);
const admin = new Redis(redis.url);
let runs = 0;

type PeerName = 'amqp' | 'redis';
function open(peer: PeerName, onRun: () => void = () => {}) {
  const prefix = `bench${++runs}`;
  const backend = createRedisStore({ connection: redis.url, prefix });
  const store: TaskStore = peer === 'redis' ? backend : splitStore(new AmqpBroker({ url: rabbit.url, backend, prefix }), backend);
  const app = new Celeriac({ store, logger: consoleLogger('warn') });
  const noop = app.task({ name: 'bench.noop' }, (_i: number) => {
    onRun();
    return null;
  });
  return { app, noop, close: async () => { await app.close(); await store.close(); } };
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const indices = (n: number) => Array.from({ length: n }, (_, i) => [i] as [number]);

async function enqueue(peer: PeerName, n: number): Promise<number> {
  const { noop, close } = open(peer);
  try {
    const start = process.hrtime.bigint();
    await noop.bulk(indices(n));
    return n / seconds(start);
  } finally {
    await close();
  }
}

async function processAll(peer: PeerName, n: number): Promise<number> {
  let done = 0;
  let finish = () => {};
  const all = new Promise<void>((resolve) => (finish = resolve));
  const { app, noop, close } = open(peer, () => {
    if (++done === n) finish();
  });
  try {
    await noop.bulk(indices(n));
    const worker = app.worker({ concurrency });
    const start = process.hrtime.bigint();
    await worker.start();
    await all;
    while (worker.activeCount > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const rate = n / seconds(start);
    await worker.close();
    return rate;
  } finally {
    await close();
  }
}

async function latency(peer: PeerName, n: number): Promise<number> {
  const { app, noop, close } = open(peer);
  try {
    await app.worker({ concurrency: 1 }).start();
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      const start = process.hrtime.bigint();
      await (await noop.delay(i)).wait();
      samples.push(seconds(start) * 1000);
    }
    return percentile(samples, 50);
  } finally {
    await close();
  }
}

/** N tasks sent from Node in celery mode, drained by a real Celery worker on the same RabbitMQ: tasks per second. */
async function celeryWorker(n: number): Promise<number> {
  const queue = `celery${++runs}`;
  const backend = new CeleryRedisBackend({ connection: redis.url });
  const store = createAmqpStore({ url: rabbit.url, backend, mode: 'celery', prefix: `cb${runs}` });
  const app = new Celeriac({ store, logger: consoleLogger('error') });
  let worker: ChildProcess | undefined;
  try {
    const sent = await app.remote<[i: number], null>('bench.noop', { queue }).bulk(indices(n));
    let ready: () => void = () => {};
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    const args = ['-m', 'celery', '-A', 'celery_bench', 'worker', '-c', String(concurrency), '-Q', queue, '--without-gossip', '--without-mingle', '--without-heartbeat', '--loglevel=WARNING'];
    worker = spawn(PYTHON, args, { cwd: PYTHON_DIR, env: { ...process.env, CELERY_BROKER: rabbit.url, CELERY_BACKEND: redis.url, PYTHONPATH: PYTHON_DIR, PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const watch = (chunk: Buffer) => ((out += chunk.toString()), out.includes('BENCH-READY') && ready());
    worker.stdout?.on('data', watch);
    worker.stderr?.on('data', watch);
    worker.once('exit', (code) => out.includes('BENCH-READY') || log(`celery worker exited (${code}) before it was ready:\n${out}`));
    await isReady;
    const start = process.hrtime.bigint();
    let pending = sent.map((r) => r.id);
    while (pending.length > 0) {
      const head = pending.slice(0, 1_000);
      const metas = await admin.mget(...head.map((id) => `celery-task-meta-${id}`));
      const done = new Set(head.filter((_, i) => metas[i] !== null && (JSON.parse(metas[i] as string) as { status: string }).status === 'SUCCESS'));
      pending = pending.filter((id) => !done.has(id));
      if (done.size < head.length) await new Promise((r) => setTimeout(r, 5));
    }
    return n / seconds(start);
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

const scenarios = [
  { name: `enqueue ${tasks} (tasks/s)`, run: (p: PeerName) => enqueue(p, tasks) },
  { name: `process ${tasks} at c=${concurrency} (tasks/s)`, run: (p: PeerName) => processAll(p, tasks) },
  { name: `latency p50 of ${latencyTasks} sequential (ms)`, run: (p: PeerName) => latency(p, latencyTasks) },
];
const peers: PeerName[] = ['amqp', 'redis'];
try {
  log('amqp-bench: warm-up');
  for (const peer of peers) for (const s of scenarios) await s.run(peer).catch((error: unknown) => Promise.reject(new Error(`${peer} ${s.name}: ${String(error)}`)));
  const figures = new Map<string, number[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const s of scenarios) {
      // Interleaved: each round runs every peer, in alternating order, so drift hits both alike.
      for (const peer of round % 2 === 1 ? peers : [...peers].reverse()) {
        const value = await s.run(peer);
        figures.set(`${s.name}|${peer}`, [...(figures.get(`${s.name}|${peer}`) ?? []), value]);
        log(`round ${round}: ${s.name} ${peer} ${value.toFixed(2)}`);
      }
    }
  }
  if (withPython) {
    // After the rounds above (a Celery worker's start-up is not timed): one figure per round.
    for (let round = 1; round <= rounds; round++) {
      const value = await celeryWorker(tasks);
      figures.set('celery', [...(figures.get('celery') ?? []), value]);
      log(`round ${round}: python celery worker on RabbitMQ ${value.toFixed(2)}`);
    }
  }
  console.log(`AMQP broker (RabbitMQ ${'3.x, own node'}) beside the Redis store · Node ${process.version} · ${availableParallelism()} CPUs · median (min–max) of ${rounds} interleaved rounds`);
  console.log(`| scenario | ${peers.join(' | ')} |`);
  console.log(`|---|${peers.map(() => '---').join('|')}|`);
  for (const s of scenarios) {
    const cells = peers.map((p) => {
      const { median, min, max } = spread(figures.get(`${s.name}|${p}`) ?? []);
      return `${median.toFixed(1)} (${min.toFixed(1)}–${max.toFixed(1)})`;
    });
    console.log(`| ${s.name} | ${cells.join(' | ')} |`);
  }
  const celery = figures.get('celery');
  if (celery !== undefined) {
    const { median, min, max } = spread(celery);
    console.log(`\nA Celery 5.2 worker (prefork -c ${concurrency}, its defaults) on the same RabbitMQ, ${tasks} tasks sent from Node in celery mode: ${median.toFixed(1)} (${min.toFixed(1)}–${max.toFixed(1)}) tasks/s`);
  }
} finally {
  await admin.quit();
  await Promise.all([rabbit.stop(), redis.stop()]);
}
process.exit(0);
