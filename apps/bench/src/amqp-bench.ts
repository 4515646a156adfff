/**
 * The AMQP broker beside the Redis store, in this one process, on servers it starts itself (a
 * rabbitmq-server node and a redis-server on free ports): bulk enqueue, processing at concurrency
 * 10, and sequential enqueue-to-result latency. `amqp` is `splitStore(AmqpBroker, RedisStore)`:
 * messages on RabbitMQ, records in Redis; `redis` is the RedisStore alone. Each figure is the median
 * (min–max) of `BENCH_ROUNDS` interleaved rounds after a warm-up, every run on fresh names.
 *
 * Environment: BENCH_TASKS (5000), BENCH_LATENCY_TASKS (500), BENCH_ROUNDS (3), BENCH_CONCURRENCY (10).
 */
import { availableParallelism } from 'node:os';
import { AmqpBroker } from '@celeriac/amqp';
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

const [rabbit, redis] = await Promise.all([startRabbitMqServer(), startRedisServer()]);
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
} finally {
  await Promise.all([rabbit.stop(), redis.stop()]);
}
process.exit(0);
