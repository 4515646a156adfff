#!/usr/bin/env node
// A quick self-check of the hot path (not the project benchmark, which compares with BullMQ and
// bee-queue): bulk enqueue, processing at concurrency 1/10/100, and sequential delay -> wait
// latency, through the real app and worker, against a throwaway redis-server.
// Usage (after `pnpm turbo run build --filter=@celeriac/redis`): node packages/redis/scripts/measure.mjs [tasks]
import { Celeriac } from '@celeriac/core';
import { startRedisServer } from '@celeriac/test-support';
import { createRedisStores } from '../dist/index.js';

const N = Number(process.argv[2] ?? 20_000);
const LATENCY_N = 2_000;
const server = process.env.REDIS_URL ? undefined : await startRedisServer();
const url = process.env.REDIS_URL ?? server.url;
let run = 0;

function makeApp() {
  const stores = createRedisStores({ connection: url, prefix: `measure-${process.pid}-${++run}` });
  const app = new Celeriac(stores);
  const noop = app.task({ name: 'noop' }, () => null);
  return { app, noop, stores };
}

async function finish({ app, stores }) {
  await app.close();
  await Promise.all([stores.broker.close(), stores.backend.close()]);
}

/** Resolves once `count` deliveries were acknowledged (each ack follows its stored outcome). */
function countAcks(broker, count) {
  let acked = 0;
  const ack = broker.ack.bind(broker);
  return new Promise((resolve) => {
    broker.ack = async (delivery) => {
      await ack(delivery);
      if (++acked === count) resolve();
    };
  });
}

const rows = [];
{
  const ctx = makeApp();
  const t0 = performance.now();
  await ctx.noop.bulk(Array.from({ length: N }, () => []));
  const ms = performance.now() - t0;
  rows.push(['bulk enqueue (bulk())', `${Math.round(N / (ms / 1000))} tasks/s`, `${ms.toFixed(0)} ms`]);
  await finish(ctx);
}
{
  const ctx = makeApp();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: N }, () => ctx.noop.delay()));
  const ms = performance.now() - t0;
  rows.push(['enqueue (N x delay())', `${Math.round(N / (ms / 1000))} tasks/s`, `${ms.toFixed(0)} ms`]);
  await finish(ctx);
}
for (const concurrency of [1, 10, 100]) {
  const ctx = makeApp();
  const count = concurrency === 1 ? Math.min(N, 5_000) : N;
  await ctx.noop.bulk(Array.from({ length: count }, () => []));
  const done = countAcks(ctx.stores.broker, count);
  const worker = ctx.app.worker({ concurrency });
  const t0 = performance.now();
  await worker.start();
  await done;
  const ms = performance.now() - t0;
  rows.push([`process, concurrency ${concurrency}`, `${Math.round(count / (ms / 1000))} tasks/s`, `${count} tasks in ${ms.toFixed(0)} ms`]);
  await finish(ctx);
}
{
  const ctx = makeApp();
  const worker = ctx.app.worker({ concurrency: 10 });
  await worker.start();
  for (let i = 0; i < 200; i++) await (await ctx.noop.delay()).wait(); // warm-up
  const samples = [];
  for (let i = 0; i < LATENCY_N; i++) {
    const t0 = performance.now();
    const result = await ctx.noop.delay();
    await result.wait();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const p = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))].toFixed(3);
  rows.push(['latency delay -> wait', `p50 ${p(0.5)} ms`, `p95 ${p(0.95)} ms, p99 ${p(0.99)} ms`]);
  await finish(ctx);
}
console.table(rows);
await server?.stop();
