import { Celeriac, type Logger } from '@celeriac/core';
import { MemoryStore } from '@celeriac/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { type MetricsServer, celeriacMetrics, serveMetrics } from '../src/index.js';
import { scrape, until } from './scrape.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function served(app: Celeriac, options: Parameters<typeof celeriacMetrics>[1] = {}): Promise<{ url: string; metrics: ReturnType<typeof celeriacMetrics>; server: MetricsServer }> {
  const metrics = celeriacMetrics(app, options);
  const server = await serveMetrics(metrics, { port: 0, host: '127.0.0.1' });
  cleanups.push(() => server.close());
  return { url: `http://127.0.0.1:${server.port}/metrics`, metrics, server };
}

describe('celeriacMetrics on the memory store', () => {
  it('counts a known workload exactly: successes, a failure, a retry, a dead letter', async () => {
    const app = new Celeriac({ store: new MemoryStore(), logger: quiet });
    cleanups.push(() => app.close());
    const ok = app.task({ name: 'm.ok' }, async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return n;
    });
    const broken = app.task({ name: 'm.broken' }, () => {
      throw new Error('broken');
    });
    let flakyRuns = 0;
    const flaky = app.task({ name: 'm.flaky', retries: 1, backoff: { type: 'fixed', delay: 10 } }, () => {
      if (++flakyRuns === 1) throw new Error('flaky the first time');
      return 'ok';
    });
    const dead = app.task({ name: 'm.dead', deadLetter: true }, () => {
      throw new Error('to the dead letters');
    });
    const { url } = await served(app, { cacheMs: 0 });
    await app.worker({ concurrency: 4, pollInterval: 10, heartbeatInterval: 50 }).start();

    const runs = [...(await ok.bulk([[1], [2], [3]])), await broken.delay(), await flaky.delay(), await dead.delay()];
    await Promise.allSettled(runs.map((r) => r.wait({ timeout: 5_000 })));
    await until(async () => (await scrape(url)).get('celeriac_dead_letters_total{task="m.dead"}') === 1, 'the dead letter to be counted');

    const m = await scrape(url);
    expect(m.get('celeriac_tasks_sent_total{queue="default",task="m.ok"}')).toBe(3);
    expect(m.get('celeriac_tasks_sent_total{queue="default",task="m.flaky"}')).toBe(1);
    expect(m.get('celeriac_tasks_total{state="SUCCESS",task="m.ok"}')).toBe(3);
    expect(m.get('celeriac_tasks_total{state="FAILURE",task="m.broken"}')).toBe(1);
    expect(m.get('celeriac_tasks_total{state="SUCCESS",task="m.flaky"}')).toBe(1);
    expect(m.get('celeriac_tasks_total{state="FAILURE",task="m.flaky"}')).toBeUndefined();
    expect(m.get('celeriac_tasks_total{state="FAILURE",task="m.dead"}')).toBe(1);
    expect(m.get('celeriac_task_retries_total{task="m.flaky"}')).toBe(1);
    expect(m.get('celeriac_task_retries_total{task="m.ok"}')).toBeUndefined();
    expect(m.get('celeriac_dead_letters_total{task="m.dead"}')).toBe(1);
    // One runtime observation per outcome; the ok runs slept 5 ms each.
    expect(m.get('celeriac_task_runtime_seconds_count{task="m.ok"}')).toBe(3);
    expect(m.get('celeriac_task_runtime_seconds_sum{task="m.ok"}')).toBeGreaterThanOrEqual(0.015);
    expect(m.get('celeriac_task_runtime_seconds_count{task="m.flaky"}')).toBe(1);
    // One wait observation per start: the retry waited again (from its due time).
    expect(m.get('celeriac_task_wait_seconds_count{queue="default",task="m.ok"}')).toBe(3);
    expect(m.get('celeriac_task_wait_seconds_count{queue="default",task="m.flaky"}')).toBe(2);
    expect(m.get('celeriac_workers_online')).toBe(1);
    expect(m.get('celeriac_queue_tasks{queue="default",state="waiting"}')).toBe(0);
    expect(m.get('celeriac_queue_tasks{queue="default",state="running"}')).toBe(0);
  });

  it('reads the store once per cacheMs however many scrapes come', async () => {
    const app = new Celeriac({ store: new MemoryStore(), logger: quiet });
    cleanups.push(() => app.close());
    app.task({ name: 'm.idle' }, () => undefined);
    let reads = 0;
    const list = app.queues.list.bind(app.queues);
    app.queues.list = () => (reads++, list());
    const { url } = await served(app, { cacheMs: 60_000 });
    await Promise.all(Array.from({ length: 20 }, () => scrape(url)));
    await scrape(url);
    expect(reads).toBe(1);
  });

  it('refuses bad options naming them, and answers 404 off the path', async () => {
    const app = new Celeriac({ store: new MemoryStore(), logger: quiet });
    cleanups.push(() => app.close());
    expect(() => celeriacMetrics(app, { cacheMs: -1 })).toThrow(/cacheMs/);
    expect(() => celeriacMetrics(app, { prefix: 'bad prefix' })).toThrow(/prefix/);
    expect(() => celeriacMetrics(app, { runtimeBuckets: [1, 0.5] })).toThrow(/runtimeBuckets/);
    expect(() => celeriacMetrics(app, { nope: 1 } as never)).toThrow(/nope/);
    const { server } = await served(app);
    expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
  });

  it('stops counting after close()', async () => {
    const app = new Celeriac({ store: new MemoryStore(), logger: quiet });
    cleanups.push(() => app.close());
    const ok = app.task({ name: 'm.after' }, () => 1);
    const { url, metrics } = await served(app);
    await ok.delay();
    metrics.close();
    await ok.delay();
    expect((await scrape(url)).get('celeriac_tasks_sent_total{queue="default",task="m.after"}')).toBe(1);
  });
});
